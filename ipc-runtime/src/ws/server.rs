//! The listener: accepts connections (a bounded number at a time in their
//! HTTP exchange), answers page loads and refused handshakes, and hands
//! accepted handshakes to [`connection`](super::connection).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use super::config::WsConfig;
use super::emitter::EventEmitter;
use super::handshake::{self, Accepted};
use super::http::{self, HeadError};
use super::security::{Authority, LaunchSecret};
use super::{IPC_PATH, connection, files};
use crate::context::CancellationToken;
use crate::router::Router;

/// What the server keeps of an open connection.
#[derive(Debug)]
pub(crate) struct Connection {
    /// Its queue of replies and events.
    pub(crate) outbound: mpsc::Sender<Message>,
    /// Closes it when cancelled.
    pub(crate) closing: CancellationToken,
}

/// Shared by the accept loop, the connections and the [`EventEmitter`].
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) router: Arc<Router>,
    pub(crate) config: WsConfig,
    pub(crate) secret: LaunchSecret,
    pub(crate) authority: Authority,
    pub(crate) csp: String,
    /// The canonical renderer directory, links resolved once at start.
    pub(crate) static_root: Option<PathBuf>,
    pub(crate) connections: Mutex<HashMap<u64, Connection>>,
    /// `max_connections` slots, taken by accepted handshakes.
    pub(crate) connection_slots: Arc<Semaphore>,
    pub(crate) next_connection_id: AtomicU64,
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The map stays consistent whatever panicked while holding it.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
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
        let authority = Authority::new(addr);
        let ws_origins: Vec<String> = authority
            .own_origins()
            .iter()
            .map(|origin| origin.to_string().replacen("http://", "ws://", 1))
            .collect();
        let csp = config
            .content_security_policy
            .replace("{ws}", &ws_origins.join(" "));
        let static_root = config.static_dir.as_deref().and_then(|dir| {
            std::fs::canonicalize(dir)
                .inspect_err(|error| {
                    tracing::warn!(dir = %dir.display(), %error, "the renderer directory cannot be read; no files are served");
                })
                .ok()
        });
        let shared = Arc::new(Shared {
            router,
            connection_slots: Arc::new(Semaphore::new(config.max_connections)),
            config,
            secret,
            authority,
            csp,
            static_root,
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

/// Completes once [`WsServer::shutdown`] asks the server to stop, and never
/// because the handle was dropped: dropping it does not stop the server.
pub(crate) async fn stop_requested(stopped: &mut watch::Receiver<bool>) {
    if stopped.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Accepts the next connection once fewer than `max_pending_connections`
/// are in their HTTP exchange. Cancel-safe: a permit taken by a cancelled
/// call is returned.
async fn accept_pending(
    listener: &TcpListener,
    pending: &Arc<Semaphore>,
    max_pending: usize,
    saturated: &mut bool,
) -> (
    OwnedSemaphorePermit,
    std::io::Result<(TcpStream, SocketAddr)>,
) {
    let permit = match Arc::clone(pending).try_acquire_owned() {
        Ok(permit) => permit,
        Err(_) => {
            if !*saturated {
                *saturated = true;
                tracing::warn!("pending connections at their bound; accepting more once one ends");
            }
            match Arc::clone(pending).acquire_owned().await {
                Ok(permit) => permit,
                // The semaphore is never closed.
                Err(_) => std::future::pending().await,
            }
        }
    };
    let accepted = listener.accept().await;
    // Logged once per flood: again only after the pending ones drained.
    if pending.available_permits() + 1 >= max_pending {
        *saturated = false;
    }
    (permit, accepted)
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stopped: watch::Receiver<bool>,
) {
    let max_pending = shared.config.max_pending_connections.max(1);
    let pending = Arc::new(Semaphore::new(max_pending));
    let mut saturated = false;
    let mut connection_tasks = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            () = stop_requested(&mut stopped) => break,
            (permit, accepted) = accept_pending(&listener, &pending, max_pending, &mut saturated) => match accepted {
                Ok((stream, peer)) => {
                    let shared = Arc::clone(&shared);
                    let stopped = stopped.clone();
                    connection_tasks.spawn(async move { handle_tcp(stream, peer, shared, stopped, permit).await });
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

/// How long a response may take to go out once the exchange's deadline has
/// passed (the 408 of a late head).
const RESPONSE_GRACE: Duration = Duration::from_secs(1);

/// One accepted TCP connection: its HTTP exchange, bounded by
/// `handshake_timeout` and holding a pending slot, then, for an accepted
/// handshake, the WebSocket connection.
async fn handle_tcp(
    mut stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    stopped: watch::Receiver<bool>,
    pending: OwnedSemaphorePermit,
) {
    let _ = stream.set_nodelay(true);
    let deadline = Instant::now() + shared.config.handshake_timeout;
    let exchange = exchange(&mut stream, peer, &shared, deadline);
    let accepted = tokio::time::timeout_at(deadline + RESPONSE_GRACE, exchange)
        .await
        .unwrap_or_else(|_| {
            tracing::debug!(%peer, "HTTP exchange did not finish in time");
            None
        });
    drop(pending);
    if let Some(accepted) = accepted {
        connection::serve(stream, accepted, shared, stopped).await;
    }
}

/// Reads the request head and answers it; returns the accepted handshake
/// once its 101 response is written.
async fn exchange(
    stream: &mut TcpStream,
    peer: SocketAddr,
    shared: &Shared,
    deadline: Instant,
) -> Option<Accepted> {
    let head = match http::read_head(stream, deadline).await {
        Ok(head) => head,
        Err(HeadError::TooLarge) => {
            http::respond_error(
                stream,
                "431 Request Header Fields Too Large",
                "request head too large",
            )
            .await;
            return None;
        }
        Err(HeadError::Malformed) => {
            http::respond_error(stream, "400 Bad Request", "malformed request").await;
            return None;
        }
        Err(HeadError::TimedOut) => {
            http::respond_error(stream, "408 Request Timeout", "request timeout").await;
            return None;
        }
        Err(HeadError::Closed) => return None,
    };
    let host_ok = head.header_count("host") == 1
        && head
            .header("host")
            .is_some_and(|host| shared.authority.accepts_host(&host));
    if !host_ok {
        tracing::warn!(%peer, "refused a request for another host");
        http::respond_error(stream, "421 Misdirected Request", "unknown host").await;
        return None;
    }
    let path = head.path.split('?').next().unwrap_or_default();
    if path != IPC_PATH {
        files::serve(stream, shared.static_root.as_deref(), &head, &shared.csp).await;
        return None;
    }
    match handshake::accept(&head, shared) {
        Ok(accepted) => {
            stream.write_all(&accepted.response).await.ok()?;
            Some(accepted)
        }
        Err(refusal) => {
            tracing::warn!(%peer, status = refusal.status, reason = refusal.reason, "refused an IPC connection");
            http::respond_error(stream, refusal.status, refusal.reason).await;
            None
        }
    }
}
