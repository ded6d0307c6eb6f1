//! One open WebSocket connection: reads requests, runs their calls, writes
//! replies and events, and closes per RFC 6455.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::Poll;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error, Message, Utf8Bytes};

use super::handshake::Accepted;
use super::server::{Connection, Shared, lock, stop_requested};
use crate::context::{CallerIdentity, CancellationToken};
use crate::wire::{self, FrameworkCode, IpcError};

type Outbound = mpsc::Sender<Message>;

/// Serves the connection of an accepted handshake (its 101 is written)
/// until it ends.
pub(crate) async fn serve(
    stream: TcpStream,
    accepted: Accepted,
    shared: Arc<Shared>,
    stopped: watch::Receiver<bool>,
) {
    // Held until the connection ends: its place under `max_connections`.
    let _slot = accepted.slot;
    let limit = shared.config.max_message_bytes;
    let config = WebSocketConfig::default()
        .max_message_size(Some(limit))
        .max_frame_size(Some(limit));
    let socket = WebSocketStream::from_raw_socket(stream, Role::Server, Some(config)).await;
    let connection_id = shared.next_connection_id.fetch_add(1, Ordering::Relaxed);
    let caller = CallerIdentity::new(
        connection_id,
        shared.config.role.clone(),
        accepted.origin.to_string(),
    );
    tracing::debug!(connection = connection_id, origin = %caller.origin, "IPC connection open");
    serve_connection(socket, caller, shared, stopped).await;
    tracing::debug!(connection = connection_id, "IPC connection closed");
}

async fn serve_connection(
    mut socket: WebSocketStream<TcpStream>,
    caller: CallerIdentity,
    shared: Arc<Shared>,
    mut stopped: watch::Receiver<bool>,
) {
    let connection_id = caller.connection_id;
    let caller = Arc::new(caller);
    // Replies of calls that did not finish at once, and events.
    let (outbound, mut queue) = mpsc::channel::<Message>(shared.config.outbound_queue.max(1));
    // Cancelled when the connection ends (in-flight handlers see it), or
    // earlier when its queue overflows: the client does not read.
    let closing = CancellationToken::new();
    // A connection's calls are cancelled however its task ends, aborted
    // included.
    let _cancel_calls = closing.clone().drop_guard();
    lock(&shared.connections).insert(
        connection_id,
        Connection {
            outbound: outbound.clone(),
            closing: closing.clone(),
        },
    );
    let in_flight = Arc::new(Semaphore::new(
        shared.config.max_in_flight_per_connection.max(1),
    ));
    let mut session = Session {
        socket: &mut socket,
        queue: &mut queue,
        interrupted: Box::pin(interruption(&mut stopped, &closing)),
        closing: &closing,
        calls_cancel: Arc::new(closing.clone()),
    };
    let ending = session.run(&shared, &caller, &outbound, &in_flight).await;
    drop(session);
    // Out of the table first: whoever sees the calls cancelled also sees
    // the connection gone.
    lock(&shared.connections).remove(&connection_id);
    closing.cancel();
    // Best effort, and bounded: a client that does not read gets none.
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, async {
        match ending {
            Ending::Send(close) => socket.send(close).await,
            // tungstenite queued the answer to the client's Close frame
            // when it read it (RFC 6455 5.5.1: the same code); flushing
            // sends it, then the TCP connection closes.
            Ending::AnswerClose => socket.flush().await,
            Ending::Gone => Ok(()),
        }
    })
    .await;
}

/// Replies written before a flush while requests keep arriving: it bounds
/// how long the queue and the interruption wait for their turn.
const MAX_UNFLUSHED: usize = 16;

/// How long a closing frame may take to go out.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

/// How a connection ends.
enum Ending {
    /// With this Close frame from the server.
    Send(Message),
    /// The client sent a Close frame: answer it.
    AnswerClose,
    /// The socket failed or the client went away: nothing to send.
    Gone,
}

/// One connection's loop. The task that reads a request also runs its
/// call: a call that completes at once (most do) is answered from here,
/// with no task switch on its way; one that waits continues in a task of
/// its own and its reply comes back through the queue, like events.
struct Session<'a> {
    socket: &'a mut WebSocketStream<TcpStream>,
    queue: &'a mut mpsc::Receiver<Message>,
    /// [`interruption`], made once for the connection: every `select!`
    /// polls this one future, so that no message registers its wakers
    /// with the watch and the token again. It is never polled once
    /// complete, since its completion ends the connection.
    interrupted: Pin<Box<dyn Future<Output = Ending> + Send + 'a>>,
    closing: &'a CancellationToken,
    /// `closing`, shared by the calls: a clone of this is an atomic
    /// increment, where a token's own clone takes its tree's lock.
    calls_cancel: Arc<CancellationToken>,
}

/// Completes when the server stops or the connection must close.
async fn interruption(stopped: &mut watch::Receiver<bool>, closing: &CancellationToken) -> Ending {
    tokio::select! {
        () = stop_requested(stopped) => {
            Ending::Send(close_message(CloseCode::Away, "server shutting down"))
        }
        () = closing.cancelled() => Ending::Send(close_message(
            CloseCode::Policy,
            "client does not read its replies",
        )),
    }
}

/// How a read error ends the connection: the close code RFC 6455 gives
/// it, when the socket can still carry one.
fn ending_for(error: &Error) -> Ending {
    match error {
        Error::Capacity(_) => Ending::Send(close_message(CloseCode::Size, "message too large")),
        // Section 8.1: a text frame that is not UTF-8 fails the connection
        // with 1007.
        Error::Utf8(_) => Ending::Send(close_message(CloseCode::Invalid, "text is not UTF-8")),
        Error::Protocol(_) => Ending::Send(close_message(CloseCode::Protocol, "protocol error")),
        _ => Ending::Gone,
    }
}

impl Session<'_> {
    /// Serves requests until the connection ends; returns how it ends.
    async fn run(
        &mut self,
        shared: &Arc<Shared>,
        caller: &Arc<CallerIdentity>,
        outbound: &Outbound,
        in_flight: &Arc<Semaphore>,
    ) -> Ending {
        // Replies written since the last flush. A request that had already
        // arrived when it was read (a pipelining client) is answered without
        // a flush, and so is the next one while there is one: the replies go
        // out together, in one write for several. A request the loop had to
        // wait for (one call at a time) is answered and flushed at once.
        let mut unflushed = 0;
        loop {
            let arrived: bool;
            let message = if unflushed > 0 && unflushed < MAX_UNFLUSHED {
                arrived = true;
                let ready =
                    std::future::poll_fn(|cx| Poll::Ready(self.socket.poll_next_unpin(cx))).await;
                match ready {
                    Poll::Ready(message) => message,
                    Poll::Pending => {
                        if let Err(ending) = self.flush().await {
                            return ending;
                        }
                        unflushed = 0;
                        continue;
                    }
                }
            } else {
                // A full batch goes out, then the queue and the interruption
                // get their turn before the next request.
                if unflushed > 0 {
                    if let Err(ending) = self.flush().await {
                        return ending;
                    }
                    unflushed = 0;
                }
                let mut polls = 0;
                let message = tokio::select! {
                    biased;
                    ending = &mut self.interrupted => return ending,
                    Some(message) = self.queue.recv() => {
                        if let Err(ending) = self.write(message, true).await {
                            return ending;
                        }
                        continue;
                    }
                    message = std::future::poll_fn(|cx| {
                        polls += 1;
                        self.socket.poll_next_unpin(cx)
                    }) => message,
                };
                // Ready at its first poll: it was there already.
                arrived = polls == 1;
                message
            };
            let message = match message {
                Some(Ok(message)) => message,
                Some(Err(error)) => {
                    tracing::debug!(connection = caller.connection_id, %error, "IPC connection failed");
                    return ending_for(&error);
                }
                None => return Ending::Gone,
            };
            let reply = match message {
                Message::Text(text) => {
                    // Backpressure: at the limit, stop reading until a call
                    // ends (its reply is still written meanwhile).
                    let permit = match Arc::clone(in_flight).try_acquire_owned() {
                        Ok(permit) => permit,
                        Err(_) => {
                            if let Err(ending) = self.flush().await {
                                return ending;
                            }
                            unflushed = 0;
                            match self.wait_for_permit(in_flight).await {
                                Ok(permit) => permit,
                                Err(ending) => return ending,
                            }
                        }
                    };
                    self.call(shared, caller, outbound, text, permit).await
                }
                Message::Binary(_) => {
                    // Binary frames are reserved for streams (see docs/transport-ws.md).
                    let error = IpcError::framework(
                        FrameworkCode::MalformedRequest,
                        "Binary frames are reserved for streams, which this server does not offer",
                    );
                    Some(wire::encode_failure_text(None, &error))
                }
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => None,
                Message::Close(_) => return Ending::AnswerClose,
            };
            if let Some(reply) = reply {
                if let Err(ending) = self.write(Message::Text(reply.into()), !arrived).await {
                    return ending;
                }
                if arrived {
                    unflushed += 1;
                }
            }
        }
    }

    /// Runs one call: its reply when it completes at its first poll, else
    /// `None` and the call goes on in a task whose reply goes through the
    /// queue.
    async fn call(
        &mut self,
        shared: &Arc<Shared>,
        caller: &Arc<CallerIdentity>,
        outbound: &Outbound,
        text: Utf8Bytes,
        permit: OwnedSemaphorePermit,
    ) -> Option<String> {
        let router = Arc::clone(&shared.router);
        let caller = Arc::clone(caller);
        let closing = Arc::clone(&self.calls_cancel);
        let mut call = Box::pin(async move {
            let reply = router
                .dispatch_cancellable(text.as_str(), caller, &closing)
                .await;
            drop(permit);
            reply
        });
        let first = std::future::poll_fn(|cx| Poll::Ready(call.as_mut().poll(cx)));
        match first.await {
            Poll::Ready(reply) => reply,
            Poll::Pending => {
                let outbound = outbound.clone();
                let closing = self.closing.clone();
                tokio::spawn(async move {
                    if let Some(reply) = call.await {
                        // A full queue means the client does not read:
                        // close the connection.
                        if outbound.try_send(Message::Text(reply.into())).is_err() {
                            closing.cancel();
                        }
                    }
                });
                None
            }
        }
    }

    /// Writes `message` and whatever else is queued, then flushes once
    /// when `flush` says so. A client that stops reading blocks this only
    /// until the server stops or the connection's queue overflows.
    async fn write(&mut self, message: Message, flush: bool) -> Result<(), Ending> {
        let socket = &mut *self.socket;
        let queue = &mut *self.queue;
        let writing = async {
            socket.feed(message).await?;
            while let Ok(more) = queue.try_recv() {
                socket.feed(more).await?;
            }
            if flush {
                socket.flush().await?;
            }
            Ok::<(), Error>(())
        };
        tokio::select! {
            biased;
            ending = &mut self.interrupted => Err(ending),
            written = writing => written.map_err(|_| Ending::Gone),
        }
    }

    /// Waits for a free call slot, writing replies and events meanwhile.
    async fn wait_for_permit(
        &mut self,
        in_flight: &Arc<Semaphore>,
    ) -> Result<OwnedSemaphorePermit, Ending> {
        loop {
            tokio::select! {
                biased;
                ending = &mut self.interrupted => return Err(ending),
                permit = Arc::clone(in_flight).acquire_owned() => {
                    return permit.map_err(|_| Ending::Gone);
                }
                Some(message) = self.queue.recv() => self.write(message, true).await?,
            }
        }
    }

    /// Sends what was written, as [`write`](Self::write) does.
    async fn flush(&mut self) -> Result<(), Ending> {
        let socket = &mut *self.socket;
        tokio::select! {
            biased;
            ending = &mut self.interrupted => Err(ending),
            flushed = socket.flush() => flushed.map_err(|_| Ending::Gone),
        }
    }
}

fn close_message(code: CloseCode, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}
