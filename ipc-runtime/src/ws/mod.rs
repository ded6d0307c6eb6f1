//! The loopback WebSocket transport (feature `ws`).
//!
//! One TCP port serves both the app's renderer files over HTTP and the IPC
//! WebSocket at `/ipc`. It listens on `127.0.0.1` unless configured
//! otherwise. A WebSocket handshake is refused, before anything is
//! dispatched, unless:
//!
//! - the `Host` header names this server (no DNS rebinding);
//! - the `Origin` is the app's own origin or an allowed one, compared as
//!   parsed origins;
//! - the client offers the `ipc-contracts.v1` subprotocol and the
//!   per-launch secret as `ipc-secret.<hex>`, compared in constant time.
//!
//! Each connection gets a [`CallerIdentity`] (connection id, role, origin)
//! that handlers see. Requests on one connection run concurrently (bounded);
//! replies go back as they complete, correlated by id. See
//! `docs/transport-ws.md` and `docs/security.md`.

mod http;
mod security;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::Poll;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

pub use security::{LaunchSecret, Origin};

use crate::context::{CallerIdentity, CancellationToken};
use crate::contract::EventContract;
use crate::router::Router;
use crate::wire::{self, FrameworkCode, IpcError};

/// The subprotocol of this version of the wire protocol.
pub const SUBPROTOCOL: &str = "ipc-contracts.v1";
/// The prefix of the subprotocol entry that carries the secret.
pub const SECRET_PROTOCOL_PREFIX: &str = "ipc-secret.";
/// The WebSocket path.
pub const IPC_PATH: &str = "/ipc";

/// How the server listens and what it allows.
#[derive(Debug, Clone)]
pub struct WsConfig {
    /// Where to listen: `127.0.0.1:0` (loopback, an ephemeral port) by
    /// default. Another interface exposes the app to the network: only do
    /// that deliberately.
    pub bind: SocketAddr,
    /// The renderer's files, served over HTTP; `None` serves none.
    pub static_dir: Option<PathBuf>,
    /// Origins allowed besides the app's own (`http://127.0.0.1:<port>`,
    /// `http://localhost:<port>`), e.g. a dev server's.
    pub allowed_origins: Vec<Origin>,
    /// The role every connection of this server gets in its identity.
    pub role: String,
    /// The largest WebSocket message accepted; a larger one closes the
    /// connection (1009). Messages up to it that exceed the router's own
    /// limit get a structured `IPC_PAYLOAD_TOO_LARGE` reply.
    pub max_message_bytes: usize,
    /// Requests of one connection handled at once; more wait (backpressure:
    /// the server stops reading from that socket).
    pub max_in_flight_per_connection: usize,
    /// Replies and events queued for one connection; a client that does not
    /// read them is disconnected rather than letting memory grow.
    pub outbound_queue: usize,
    /// Open connections; more are refused with 503.
    pub max_connections: usize,
    /// Time allowed to send a request head.
    pub handshake_timeout: Duration,
    /// The page's Content-Security-Policy; `{ws}` is replaced with the
    /// server's WebSocket origins.
    pub content_security_policy: String,
}

impl Default for WsConfig {
    fn default() -> Self {
        WsConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            static_dir: None,
            allowed_origins: Vec::new(),
            role: "renderer".to_owned(),
            max_message_bytes: 16 * 1024 * 1024,
            max_in_flight_per_connection: 64,
            outbound_queue: 1024,
            max_connections: 64,
            handshake_timeout: Duration::from_secs(10),
            content_security_policy: "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src {ws}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'".to_owned(),
        }
    }
}

type Outbound = mpsc::Sender<Message>;

/// What the server keeps of an open connection.
#[derive(Debug)]
struct Connection {
    /// Its queue of replies and events.
    outbound: Outbound,
    /// Closes it when cancelled.
    closing: CancellationToken,
}

/// Shared by the accept loop, the connections and the [`EventEmitter`].
#[derive(Debug)]
struct Shared {
    router: Arc<Router>,
    config: WsConfig,
    secret: LaunchSecret,
    authority: security::Authority,
    csp: String,
    connections: Mutex<HashMap<u64, Connection>>,
    next_connection_id: AtomicU64,
}

/// A running server. Dropping it does not stop it; call [`shutdown`](Self::shutdown).
#[derive(Debug)]
pub struct WsServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    accept_task: tokio::task::JoinHandle<()>,
}

/// Why the server could not start.
#[derive(Debug)]
pub enum WsStartError {
    Bind(std::io::Error),
    /// The OS had no secure random source for the secret.
    Randomness(getrandom::Error),
}

impl std::fmt::Display for WsStartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WsStartError::Bind(error) => write!(f, "cannot listen: {error}"),
            WsStartError::Randomness(error) => {
                write!(f, "no secure random source for the launch secret: {error}")
            }
        }
    }
}

impl std::error::Error for WsStartError {}

impl WsServer {
    /// Listens and starts serving on the current tokio runtime.
    pub async fn start(router: Arc<Router>, config: WsConfig) -> Result<WsServer, WsStartError> {
        let secret = LaunchSecret::generate().map_err(WsStartError::Randomness)?;
        let listener = TcpListener::bind(config.bind)
            .await
            .map_err(WsStartError::Bind)?;
        let addr = listener.local_addr().map_err(WsStartError::Bind)?;
        let authority = security::Authority::new(addr);
        let ws_origins: Vec<String> = authority
            .own_origins()
            .iter()
            .map(|origin| origin.to_string().replacen("http://", "ws://", 1))
            .collect();
        let csp = config
            .content_security_policy
            .replace("{ws}", &ws_origins.join(" "));
        let shared = Arc::new(Shared {
            router,
            config,
            secret,
            authority,
            csp,
            connections: Mutex::new(HashMap::new()),
            next_connection_id: AtomicU64::new(1),
        });
        let (stop, stopped) = watch::channel(false);
        let accept_task = tokio::spawn(accept_loop(listener, Arc::clone(&shared), stopped));
        Ok(WsServer {
            shared,
            addr,
            stop,
            accept_task,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL of the app's page with the secret in its fragment: the one
    /// hand-off of the secret to the renderer. Navigate the webview to it
    /// in-process (or print it for the user); never pass it on a command
    /// line, where other processes can read it.
    pub fn app_url(&self) -> String {
        self.shared.authority.app_url(&self.shared.secret)
    }

    /// The app's own origin, as the renderer's `Origin` header carries it.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Broadcasts events to every open connection.
    pub fn emitter(&self) -> EventEmitter {
        EventEmitter {
            shared: Arc::clone(&self.shared),
        }
    }

    /// The number of open WebSocket connections.
    pub fn connection_count(&self) -> usize {
        lock(&self.shared.connections).len()
    }

    /// Stops accepting, closes every connection (their in-flight calls are
    /// cancelled) and waits for the accept loop to end.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.accept_task.await;
        lock(&self.shared.connections).clear();
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The map stays consistent whatever panicked while holding it.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Sends event envelopes to the renderer.
#[derive(Debug, Clone)]
pub struct EventEmitter {
    shared: Arc<Shared>,
}

impl EventEmitter {
    /// Validates and broadcasts `payload` to every open connection; returns
    /// how many connections it was queued for. A connection whose queue is
    /// full is closed (the client sees a disconnect and can resynchronize)
    /// rather than silently missing the event.
    pub fn emit<E: EventContract>(&self, payload: &E) -> Result<usize, IpcError> {
        let envelope = self.shared.router.event(payload)?;
        // One shared buffer for every connection (clones are reference counts).
        let text = utf8_frame(envelope);
        let mut connections = lock(&self.shared.connections);
        let mut delivered = 0;
        connections.retain(|id, connection| {
            match connection.outbound.try_send(Message::Text(text.clone())) {
                Ok(()) => {
                    delivered += 1;
                    true
                }
                Err(mpsc::error::TrySendError::Full(_)) => {
                    tracing::warn!(
                        connection = id,
                        "IPC connection does not read its events; closing it"
                    );
                    connection.closing.cancel();
                    false
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            }
        });
        Ok(delivered)
    }

    /// Validates `payload` and sends it to the one connection whose
    /// [`CallerIdentity::connection_id`] is `connection_id` (the caller of a
    /// handler, say); returns whether that connection was open to take it.
    /// As with [`emit`](Self::emit), a connection whose queue is full is
    /// closed.
    pub fn emit_to<E: EventContract>(
        &self,
        connection_id: u64,
        payload: &E,
    ) -> Result<bool, IpcError> {
        let envelope = self.shared.router.event(payload)?;
        let mut connections = lock(&self.shared.connections);
        let Some(connection) = connections.get(&connection_id) else {
            return Ok(false);
        };
        match connection
            .outbound
            .try_send(Message::Text(utf8_frame(envelope)))
        {
            Ok(()) => Ok(true),
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!(
                    connection = connection_id,
                    "IPC connection does not read its events; closing it"
                );
                connection.closing.cancel();
                connections.remove(&connection_id);
                Ok(false)
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                connections.remove(&connection_id);
                Ok(false)
            }
        }
    }
}

/// Completes once [`WsServer::shutdown`] asks the server to stop, and never
/// because the handle was dropped: dropping it does not stop the server.
async fn stop_requested(stopped: &mut watch::Receiver<bool>) {
    if stopped.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stopped: watch::Receiver<bool>,
) {
    let mut connection_tasks = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            () = stop_requested(&mut stopped) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let shared = Arc::clone(&shared);
                    let stopped = stopped.clone();
                    connection_tasks.spawn(async move { handle_tcp(stream, peer, shared, stopped).await });
                }
                Err(error) => {
                    // Out of file descriptors and the like: wait, don't spin.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connection_tasks.join_next(), if !connection_tasks.is_empty() => {}
        }
    }
    // Connections see the stop too: let them send their close frames and
    // cancel their calls, then end whatever is left (handshakes, clients
    // that do not read).
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while connection_tasks.join_next().await.is_some() {}
    })
    .await;
    connection_tasks.abort_all();
    while connection_tasks.join_next().await.is_some() {}
}

/// How long connections get to close on their own at shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Cancels its token when dropped: a connection's calls are cancelled
/// however its task ends, aborted included.
struct CancelOnDrop(CancellationToken);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

async fn handle_tcp(
    mut stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    stopped: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let head = match http::read_head(&mut stream, shared.config.handshake_timeout).await {
        Ok(head) => head,
        Err(http::HeadError::TooLarge) => {
            return http::respond_error(
                &mut stream,
                "431 Request Header Fields Too Large",
                "request head too large",
            )
            .await;
        }
        Err(http::HeadError::Malformed) => {
            return http::respond_error(&mut stream, "400 Bad Request", "malformed request").await;
        }
        Err(http::HeadError::TimedOut) => {
            return http::respond_error(&mut stream, "408 Request Timeout", "request timeout")
                .await;
        }
        Err(http::HeadError::Closed) => return,
    };
    let host_ok = head.header_count("host") == 1
        && head
            .header("host")
            .is_some_and(|host| shared.authority.accepts_host(&host));
    if !host_ok {
        tracing::warn!(%peer, "refused a request for another host");
        return http::respond_error(&mut stream, "421 Misdirected Request", "unknown host").await;
    }
    let path = head.path.split('?').next().unwrap_or_default();
    if path == IPC_PATH {
        match check_upgrade(&head, &shared) {
            Ok(accepted) => upgrade(stream, accepted, shared, stopped).await,
            Err((status, reason)) => {
                tracing::warn!(%peer, reason, "refused an IPC connection");
                http::respond_error(&mut stream, status, reason).await;
            }
        }
    } else {
        http::serve_static(
            &mut stream,
            shared.config.static_dir.as_deref(),
            &head,
            &shared.csp,
        )
        .await;
    }
}

/// What a valid handshake established.
struct AcceptedHandshake {
    accept_key: String,
    origin: Origin,
}

/// Every check of the handshake. The reasons are for logs and the refused
/// client; they never include the secret.
fn check_upgrade(
    head: &http::RequestHead,
    shared: &Shared,
) -> Result<AcceptedHandshake, (&'static str, &'static str)> {
    const BAD_REQUEST: &str = "400 Bad Request";
    const FORBIDDEN: &str = "403 Forbidden";
    if head.method != "GET" {
        return Err((
            "405 Method Not Allowed",
            "the IPC endpoint takes a WebSocket upgrade",
        ));
    }
    if !head.header_has_token("upgrade", "websocket")
        || !head.header_has_token("connection", "upgrade")
    {
        return Err((
            "426 Upgrade Required",
            "the IPC endpoint takes a WebSocket upgrade",
        ));
    }
    if head.header("sec-websocket-version").as_deref() != Some("13") {
        return Err((BAD_REQUEST, "unsupported WebSocket version"));
    }
    let key = head
        .header("sec-websocket-key")
        .filter(|_| head.header_count("sec-websocket-key") == 1);
    let Some(key) = key else {
        return Err((BAD_REQUEST, "missing WebSocket key"));
    };
    let origin = match head.header("origin") {
        Some(origin) if head.header_count("origin") == 1 => Origin::parse(&origin),
        _ => None,
    };
    let Some(origin) = origin else {
        return Err((FORBIDDEN, "missing or malformed Origin"));
    };
    let allowed = shared.authority.own_origins().contains(&origin)
        || shared.config.allowed_origins.contains(&origin);
    if !allowed {
        return Err((FORBIDDEN, "origin not allowed"));
    }
    let offered = head.header("sec-websocket-protocol").unwrap_or_default();
    let protocols: Vec<&str> = offered.split(',').map(str::trim).collect();
    if !protocols.contains(&SUBPROTOCOL) {
        return Err((BAD_REQUEST, "the ipc-contracts.v1 subprotocol is required"));
    }
    let secrets: Vec<&str> = protocols
        .iter()
        .filter_map(|p| p.strip_prefix(SECRET_PROTOCOL_PREFIX))
        .collect();
    // Exactly one secret, so a client cannot probe several per handshake.
    if secrets.len() != 1 || !shared.secret.matches_hex(secrets[0]) {
        return Err((FORBIDDEN, "missing or wrong secret"));
    }
    if lock(&shared.connections).len() >= shared.config.max_connections {
        return Err(("503 Service Unavailable", "too many connections"));
    }
    Ok(AcceptedHandshake {
        accept_key: derive_accept_key(key.trim().as_bytes()),
        origin,
    })
}

async fn upgrade(
    mut stream: TcpStream,
    accepted: AcceptedHandshake,
    shared: Arc<Shared>,
    stopped: watch::Receiver<bool>,
) {
    use tokio::io::AsyncWriteExt;
    let response = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\nSec-WebSocket-Protocol: {SUBPROTOCOL}\r\n\r\n",
        accepted.accept_key
    );
    if stream.write_all(response.as_bytes()).await.is_err() {
        return;
    }
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
    // Replies of calls that did not finish at once, and events.
    let (outbound, mut queue) = mpsc::channel::<Message>(shared.config.outbound_queue.max(1));
    // Cancelled when the connection ends (in-flight handlers see it), or
    // earlier when its queue overflows: the client does not read.
    let closing = CancellationToken::new();
    let _cancel_calls = CancelOnDrop(closing.clone());
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
        stopped: &mut stopped,
        closing: &closing,
    };
    let ending = session.run(&shared, &caller, &outbound, &in_flight).await;
    closing.cancel();
    lock(&shared.connections).remove(&connection_id);
    if let Some(close) = ending {
        // Best effort, and bounded: a client that does not read gets none.
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, socket.send(close)).await;
    }
}

/// How long a closing frame may take to go out.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

/// One connection's loop. The task that reads a request also runs its
/// call: a call that completes at once (most do) is answered from here,
/// with no task switch on its way; one that waits continues in a task of
/// its own and its reply comes back through the queue, like events.
struct Session<'a> {
    socket: &'a mut WebSocketStream<TcpStream>,
    queue: &'a mut mpsc::Receiver<Message>,
    stopped: &'a mut watch::Receiver<bool>,
    closing: &'a CancellationToken,
}

/// Why a connection ended before its client went away.
enum Interrupted {
    /// The server stops, or the client does not read what it is sent.
    Closing(Message),
    /// The socket failed or the client closed it.
    Gone,
}

impl Interrupted {
    fn close_frame(self) -> Option<Message> {
        match self {
            Interrupted::Closing(close) => Some(close),
            Interrupted::Gone => None,
        }
    }
}

/// Completes when the server stops or the connection must close.
async fn interruption(
    stopped: &mut watch::Receiver<bool>,
    closing: &CancellationToken,
) -> Interrupted {
    tokio::select! {
        () = stop_requested(stopped) => {
            Interrupted::Closing(close_message(CloseCode::Away, "server shutting down"))
        }
        () = closing.cancelled() => Interrupted::Closing(close_message(
            CloseCode::Policy,
            "client does not read its replies",
        )),
    }
}

impl Session<'_> {
    /// Serves requests until the connection ends; returns the close frame
    /// to send, if any.
    async fn run(
        &mut self,
        shared: &Arc<Shared>,
        caller: &CallerIdentity,
        outbound: &Outbound,
        in_flight: &Arc<Semaphore>,
    ) -> Option<Message> {
        loop {
            let message = tokio::select! {
                biased;
                interrupted = interruption(self.stopped, self.closing) => return interrupted.close_frame(),
                Some(message) = self.queue.recv() => {
                    if let Err(interrupted) = self.write(message).await {
                        return interrupted.close_frame();
                    }
                    continue;
                }
                message = self.socket.next() => message,
            };
            let message = match message {
                Some(Ok(message)) => message,
                Some(Err(error)) => {
                    tracing::debug!(connection = caller.connection_id, %error, "IPC connection failed");
                    return match &error {
                        tokio_tungstenite::tungstenite::Error::Capacity(_) => {
                            Some(close_message(CloseCode::Size, "message too large"))
                        }
                        tokio_tungstenite::tungstenite::Error::Protocol(_) => {
                            Some(close_message(CloseCode::Protocol, "protocol error"))
                        }
                        _ => None,
                    };
                }
                None => return None,
            };
            let reply = match message {
                Message::Text(text) => {
                    // Backpressure: at the limit, stop reading until a call
                    // ends (its reply is still written meanwhile).
                    let permit = match Arc::clone(in_flight).try_acquire_owned() {
                        Ok(permit) => permit,
                        Err(_) => match self.wait_for_permit(in_flight).await {
                            Ok(permit) => permit,
                            Err(interrupted) => return interrupted.close_frame(),
                        },
                    };
                    let router = Arc::clone(&shared.router);
                    let caller = caller.clone();
                    let closing = self.closing.clone();
                    let mut call = Box::pin(async move {
                        let reply = router
                            .dispatch_cancellable(text.as_bytes(), caller, &closing)
                            .await;
                        drop(permit);
                        reply
                    });
                    // One poll here; a call still pending moves to a task.
                    let first = std::future::poll_fn(|cx| Poll::Ready(call.as_mut().poll(cx)));
                    match first.await {
                        Poll::Ready(reply) => reply,
                        Poll::Pending => {
                            let outbound = outbound.clone();
                            let closing = self.closing.clone();
                            tokio::spawn(async move {
                                if let Some(reply) = call.await {
                                    // A full queue means the client does not
                                    // read: close the connection.
                                    if outbound.try_send(Message::Text(utf8_frame(reply))).is_err()
                                    {
                                        closing.cancel();
                                    }
                                }
                            });
                            None
                        }
                    }
                }
                Message::Binary(_) => {
                    // Binary frames are reserved for streams (see docs/transport-ws.md).
                    let error = IpcError::framework(
                        FrameworkCode::MalformedRequest,
                        "Binary frames are reserved for streams, which this server does not offer",
                    );
                    Some(wire::encode_failure(None, &error))
                }
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => None,
                Message::Close(_) => return None,
            };
            if let Some(reply) = reply
                && let Err(interrupted) = self.write(Message::Text(utf8_frame(reply))).await
            {
                return interrupted.close_frame();
            }
        }
    }

    /// Writes `message` and whatever else is queued, then flushes once. A
    /// client that stops reading blocks this only until the server stops
    /// or the connection's queue overflows.
    async fn write(&mut self, message: Message) -> Result<(), Interrupted> {
        let socket = &mut *self.socket;
        let queue = &mut *self.queue;
        let writing = async {
            socket.feed(message).await?;
            while let Ok(more) = queue.try_recv() {
                socket.feed(more).await?;
            }
            socket.flush().await
        };
        tokio::select! {
            biased;
            interrupted = interruption(self.stopped, self.closing) => Err(interrupted),
            written = writing => written.map_err(|_| Interrupted::Gone),
        }
    }

    /// Waits for a free call slot, writing replies and events meanwhile.
    async fn wait_for_permit(
        &mut self,
        in_flight: &Arc<Semaphore>,
    ) -> Result<OwnedSemaphorePermit, Interrupted> {
        loop {
            tokio::select! {
                biased;
                interrupted = interruption(self.stopped, self.closing) => return Err(interrupted),
                permit = Arc::clone(in_flight).acquire_owned() => {
                    return permit.map_err(|_| Interrupted::Gone);
                }
                Some(message) = self.queue.recv() => self.write(message).await?,
            }
        }
    }
}

/// The router's output as a text frame: it is JSON written by serde_json,
/// hence UTF-8, so this takes the buffer without copying it.
fn utf8_frame(bytes: Vec<u8>) -> Utf8Bytes {
    match String::from_utf8(bytes) {
        Ok(text) => text.into(),
        Err(error) => String::from_utf8_lossy(error.as_bytes())
            .into_owned()
            .into(),
    }
}

fn close_message(code: CloseCode, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}
