//! The Node-API binding of an ipc-contracts [`Router`], for Electron's main
//! process (or any Node.js), built on napi-rs.
//!
//! An application builds one addon (a `cdylib`) from its handlers with
//! [`addon!`]:
//!
//! ```ignore
//! fn router(options: serde_json::Value, events: ipc_node::Emitter) -> Result<Router, String> {
//!     /* open the store, build the router, keep `events` to emit */
//! }
//! ipc_node::addon!(router);
//! ```
//!
//! The addon exports `open(options, onEvent)`, which returns an `IpcRouter`
//! with `dispatch(request, caller)` (a Promise of the reply envelope, or
//! `null` after a send succeeded), `disconnect(webContentsId)`, `close()`
//! and `channels()`. Calls run on the router's own multi-thread tokio
//! runtime, never on the JavaScript thread; events reach `onEvent` through
//! a threadsafe function. See `docs/transport-electron.md`.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use ipc_runtime::naming::ContractNames;
use ipc_runtime::{
    CallerFrame, CallerIdentity, CancellationToken, Contract, ContractKind, EventContract,
    IpcError, Router,
};
use napi::bindgen_prelude::{Either, JsValue, Object, PromiseRaw, Uint8Array};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Status};
use tokio::sync::Notify;

#[doc(hidden)]
pub use napi;

/// How long `close()` waits for calls that ignore their cancellation.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

/// The largest request an inline channel validates on the JavaScript thread
/// by default; a larger one goes to the runtime whole.
pub const DEFAULT_INLINE_MAX_BYTES: usize = 64 * 1024;

/// What a router factory returns: the router, and the channels whose calls
/// may start on the JavaScript thread (ADR 0012). A factory may return a
/// plain [`Router`]: then every call runs on the runtime.
///
/// A call of an *inline* channel is validated and its handler polled once on
/// the JavaScript thread, inside the runtime's context; when the handler
/// finishes at that first poll, the promise is settled at once, with no hop
/// to another thread. When it does not (it awaits a timer, I/O or
/// [`ipc_runtime::blocking`]), the call moves to the runtime and goes on
/// there. Mark a channel inline only when its handler never blocks before
/// its first `.await`: no disk or network I/O, no lock that a slow task
/// may hold, no unbounded computation. What inline costs the JavaScript
/// thread is then bounded by the request size: requests above
/// [`inline_max_bytes`](Self::inline_max_bytes) always go to the runtime.
pub struct Served {
    router: Router,
    inline: Inline,
    inline_max_bytes: usize,
}

#[derive(Debug, Clone)]
enum Inline {
    Channels(HashSet<String>),
    All,
}

impl std::fmt::Debug for Served {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Served")
            .field("inline", &self.inline)
            .field("inline_max_bytes", &self.inline_max_bytes)
            .finish_non_exhaustive()
    }
}

impl From<Router> for Served {
    fn from(router: Router) -> Self {
        Served::new(router)
    }
}

impl Served {
    /// Serves `router` with no inline channel.
    pub fn new(router: Router) -> Self {
        Served {
            router,
            inline: Inline::Channels(HashSet::new()),
            inline_max_bytes: DEFAULT_INLINE_MAX_BYTES,
        }
    }

    /// Lets the calls of contract `C` start on the JavaScript thread.
    #[must_use]
    pub fn inline<C: Contract>(self) -> Self {
        self.inline_channel(ContractNames::of(&C::DECLARATION).channel)
    }

    /// Lets the calls of `channel` start on the JavaScript thread; `open()`
    /// fails when the router does not serve it.
    #[must_use]
    pub fn inline_channel(mut self, channel: impl Into<String>) -> Self {
        if let Inline::Channels(channels) = &mut self.inline {
            channels.insert(channel.into());
        }
        self
    }

    /// Lets the calls of every channel start on the JavaScript thread: for
    /// a router none of whose handlers blocks before its first `.await`.
    #[must_use]
    pub fn inline_all(mut self) -> Self {
        self.inline = Inline::All;
        self
    }

    /// Requests larger than `bytes` go to the runtime even on an inline
    /// channel (default [`DEFAULT_INLINE_MAX_BYTES`]): the bound on the
    /// validation work done on the JavaScript thread.
    #[must_use]
    pub fn inline_max_bytes(mut self, bytes: usize) -> Self {
        self.inline_max_bytes = bytes;
        self
    }
}

impl Inline {
    fn allows(&self, channel: &str) -> bool {
        match self {
            Inline::All => true,
            Inline::Channels(channels) => channels.contains(channel),
        }
    }
}

/// Who sent a request, as the main-side glue reports it (Electron's
/// `webContents.id`, the window, the role the app gave it, the sending
/// frame and its origin). Converted from a JavaScript object.
#[napi_derive::napi(object)]
#[derive(Debug, Clone)]
pub struct Caller {
    /// `webContents.id` of the sender.
    pub connection_id: u32,
    /// The `BrowserWindow` id, when the sender belongs to one.
    pub window_id: Option<u32>,
    /// What the application made this window for.
    pub role: String,
    /// The origin of the sending frame (e.g. `app://notes`).
    pub origin: String,
    /// The sending frame (`event.senderFrame`), when the glue reports it.
    pub frame: Option<Frame>,
}

/// The sending frame, from Electron's `WebFrameMain`: `{ processId,
/// routingId, mainFrame }`.
#[napi_derive::napi(object)]
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    /// `WebFrameMain.processId`.
    pub process_id: u32,
    /// `WebFrameMain.routingId`.
    pub routing_id: u32,
    /// `WebFrameMain.parent === null`.
    pub main_frame: bool,
}

impl From<Caller> for CallerIdentity {
    fn from(caller: Caller) -> Self {
        let mut identity =
            CallerIdentity::new(caller.connection_id.into(), caller.role, caller.origin);
        if let Some(window) = caller.window_id {
            identity = identity.with_window(window.into());
        }
        if let Some(frame) = caller.frame {
            identity = identity.with_frame(CallerFrame {
                process_id: frame.process_id,
                routing_id: frame.routing_id,
                main_frame: frame.main_frame,
            });
        }
        identity
    }
}

/// Where an event goes: `null` for every window, a role's name for the
/// windows of that role, a number for one `webContents.id`.
type EventTarget = Option<Either<String, u32>>;

/// `onEvent(envelope, target)`: weak, so a quiet event channel does not keep
/// Node.js alive; errors the callback throws are Node's uncaught exceptions.
pub type EventCallback = ThreadsafeFunction<
    napi::bindgen_prelude::FnArgs<(String, EventTarget)>,
    (),
    napi::bindgen_prelude::FnArgs<(String, EventTarget)>,
    Status,
    false,
    true,
>;

/// Why an event was not emitted.
#[derive(Debug, Clone, PartialEq)]
pub enum EmitError {
    /// The router is not built yet (an emit from inside the factory).
    NotReady,
    /// The addon was closed.
    Closed,
    /// The payload failed its outbound checks.
    Invalid(IpcError),
}

impl std::fmt::Display for EmitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EmitError::NotReady => f.write_str("the router is not built yet"),
            EmitError::Closed => f.write_str("the addon is closed"),
            EmitError::Invalid(error) => write!(f, "the event was refused: {}", error.code()),
        }
    }
}

impl std::error::Error for EmitError {}

struct EmitterState {
    router: OnceLock<Arc<Router>>,
    callback: EventCallback,
    closed: CancellationToken,
}

/// Sends events to the JavaScript side, which forwards them to windows.
/// Cheap to clone; keep one in a handler or a change listener.
#[derive(Clone)]
pub struct Emitter {
    state: Arc<EmitterState>,
}

impl std::fmt::Debug for Emitter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emitter")
            .field("ready", &self.state.router.get().is_some())
            .field("closed", &self.state.closed.is_cancelled())
            .finish()
    }
}

impl Emitter {
    /// Sends `payload` to every window.
    pub fn emit<E: EventContract>(&self, payload: &E) -> Result<(), EmitError> {
        self.send(payload, None)
    }

    /// Sends `payload` to the windows of `role`.
    pub fn emit_to_role<E: EventContract>(&self, role: &str, payload: &E) -> Result<(), EmitError> {
        self.send(payload, Some(Either::A(role.to_owned())))
    }

    /// Sends `payload` to the window whose `webContents.id` is `connection_id`.
    pub fn emit_to<E: EventContract>(
        &self,
        connection_id: u32,
        payload: &E,
    ) -> Result<(), EmitError> {
        self.send(payload, Some(Either::B(connection_id)))
    }

    fn send<E: EventContract>(&self, payload: &E, target: EventTarget) -> Result<(), EmitError> {
        if self.state.closed.is_cancelled() {
            return Err(EmitError::Closed);
        }
        let router = self.state.router.get().ok_or(EmitError::NotReady)?;
        let envelope = router.event(payload).map_err(EmitError::Invalid)?;
        let envelope = utf8(envelope);
        match self.state.callback.call(
            (envelope, target).into(),
            ThreadsafeFunctionCallMode::NonBlocking,
        ) {
            Status::Ok => Ok(()),
            _ => Err(EmitError::Closed),
        }
    }
}

/// The calls in flight: a cancellation token per connection (`disconnect`
/// cancels one connection's calls, `close()` all of them), and a count that
/// `close()` waits on.
#[derive(Default)]
struct InFlight {
    /// One entry per connection that called, until it is disconnected.
    connections: Mutex<HashMap<u32, CancellationToken>>,
    calls: AtomicUsize,
    idle: Notify,
}

/// One call's place in [`InFlight`], released when the call ends.
struct InFlightGuard(Arc<InFlight>);

impl InFlight {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u32, CancellationToken>> {
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a call of `connection`; returns its cancellation token.
    fn enter(self: &Arc<Self>, connection: u32) -> (InFlightGuard, CancellationToken) {
        let token = self.lock().entry(connection).or_default().clone();
        self.calls.fetch_add(1, Ordering::SeqCst);
        (InFlightGuard(Arc::clone(self)), token)
    }

    /// Cancels the calls of `connection`; a later call gets a fresh token.
    fn disconnect(&self, connection: u32) {
        if let Some(token) = self.lock().remove(&connection) {
            token.cancel();
        }
    }

    fn cancel_all(&self) {
        for (_, token) in self.lock().drain() {
            token.cancel();
        }
    }

    async fn wait_idle(&self) {
        loop {
            let idle = self.idle.notified();
            let mut idle = std::pin::pin!(idle);
            // Registered before the count is read, so the last call's
            // notification cannot be missed.
            idle.as_mut().enable();
            if self.calls.load(Ordering::SeqCst) == 0 {
                return;
            }
            idle.await;
        }
    }
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        if self.0.calls.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

type Resolve<T> = Box<dyn FnOnce(Env) -> napi::Result<T> + Send>;
type Deferred<T> = napi::JsDeferred<T, Resolve<T>>;

/// Settles a promise exactly once: a call whose task is dropped (the
/// runtime shut down, or a bug panicked outside the handler's own guard)
/// is rejected rather than left pending forever.
struct Settle<T: napi::bindgen_prelude::ToNapiValue + Send + 'static>(Option<Deferred<T>>);

impl<T: napi::bindgen_prelude::ToNapiValue + Send + 'static> Settle<T> {
    fn resolve(mut self, value: T) {
        if let Some(deferred) = self.0.take() {
            deferred.resolve(Box::new(move |_| Ok(value)));
        }
    }
}

impl<T: napi::bindgen_prelude::ToNapiValue + Send + 'static> Drop for Settle<T> {
    fn drop(&mut self) {
        if let Some(deferred) = self.0.take() {
            deferred.reject(shut_down());
        }
    }
}

/// Envelopes are serialized by serde_json, so always UTF-8: taken as they
/// are, without a copy.
fn utf8(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes)
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
}

fn shut_down() -> napi::Error {
    napi::Error::new(
        Status::Cancelled,
        "the IPC router shut down before the call completed",
    )
}

/// The state behind an addon's `IpcRouter` object; [`addon!`] wraps it.
pub struct Addon {
    router: Arc<Router>,
    inline: Inline,
    inline_max_bytes: usize,
    runtime: Mutex<Option<tokio::runtime::Runtime>>,
    shutdown: CancellationToken,
    in_flight: Arc<InFlight>,
}

impl std::fmt::Debug for Addon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Addon")
            .field("channels", &self.router.channels())
            .field("closed", &self.shutdown.is_cancelled())
            .finish_non_exhaustive()
    }
}

fn failure(message: impl Into<String>) -> napi::Error {
    napi::Error::new(Status::GenericFailure, message.into())
}

impl Addon {
    /// Starts the runtime and builds the router with `factory`, which gets
    /// the options JavaScript passed and the [`Emitter`] of `on_event`.
    pub fn open<F, S>(
        options: serde_json::Value,
        on_event: EventCallback,
        factory: F,
    ) -> napi::Result<Addon>
    where
        F: FnOnce(serde_json::Value, Emitter) -> Result<S, String>,
        S: Into<Served>,
    {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .thread_name("ipc-router")
            .enable_all()
            .build()
            .map_err(|error| failure(format!("cannot start the IPC runtime: {error}")))?;
        let shutdown = CancellationToken::new();
        let emitter = Emitter {
            state: Arc::new(EmitterState {
                router: OnceLock::new(),
                callback: on_event,
                closed: shutdown.clone(),
            }),
        };
        // The factory may spawn tasks (a file watcher, a timer): give it the
        // runtime's context.
        let Served {
            router,
            inline,
            inline_max_bytes,
        } = {
            let _context = runtime.enter();
            factory(options, emitter.clone()).map_err(failure)?.into()
        };
        if let Inline::Channels(channels) = &inline {
            let served = router.channels();
            let mut unknown: Vec<&str> = channels
                .iter()
                .map(String::as_str)
                .filter(|channel| !served.contains(channel))
                .collect();
            if !unknown.is_empty() {
                unknown.sort_unstable();
                return Err(failure(format!(
                    "inline channels the router does not serve: {}",
                    unknown.join(", ")
                )));
            }
        }
        let router = Arc::new(router);
        // Set once, just above: the only writer.
        let _ = emitter.state.router.set(Arc::clone(&router));
        Ok(Addon {
            router,
            inline,
            inline_max_bytes,
            runtime: Mutex::new(Some(runtime)),
            shutdown,
            in_flight: Arc::default(),
        })
    }

    fn handle(&self) -> Option<tokio::runtime::Handle> {
        self.runtime
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|runtime| runtime.handle().clone())
    }

    /// Dispatches `request` for `caller`. The promise resolves with the
    /// reply envelope (JSON text), or `null` after a send succeeded; it
    /// rejects only when the addon is closed.
    ///
    /// `channel` is the channel the request was received on (the glue
    /// checked that the envelope names it). With it, a request whose
    /// envelope names another channel is refused with `IPC_FORBIDDEN`, and
    /// a call of an inline channel starts on this thread (see [`Served`]);
    /// without it, every call runs on the runtime.
    pub fn dispatch<'env>(
        &self,
        env: &'env Env,
        request: Either<String, Uint8Array>,
        caller: Caller,
        channel: Option<String>,
    ) -> napi::Result<PromiseRaw<'env, Option<String>>> {
        let Some(handle) = self.handle().filter(|_| !self.shutdown.is_cancelled()) else {
            return PromiseRaw::reject(env, shut_down());
        };
        // Copied: the JavaScript buffer must not be read from another thread.
        let request: Vec<u8> = match request {
            Either::A(text) => text.into_bytes(),
            Either::B(bytes) => bytes.to_vec(),
        };
        let inline = channel.as_deref().is_some_and(|channel| {
            request.len() <= self.inline_max_bytes && self.inline.allows(channel)
        });
        let router = Arc::clone(&self.router);
        let (guard, cancel) = self.in_flight.enter(caller.connection_id);
        let call = async move {
            let _guard = guard;
            let caller = caller.into();
            let reply = match channel {
                Some(channel) => {
                    let received_on = |routed: &str, _: ContractKind| routed == channel;
                    router
                        .dispatch_permitted(&request, caller, &cancel, &received_on)
                        .await
                }
                None => router.dispatch_cancellable(&request, caller, &cancel).await,
            };
            reply.map(utf8)
        };
        let mut call: Pin<Box<dyn Future<Output = Option<String>> + Send>> = Box::pin(call);
        if inline {
            // One poll here, in the runtime's context (its timers, spawn and
            // blocking pool work from this thread). A handler's panic is the
            // router's INTERNAL_ERROR reply; a panic outside it rejects the
            // promise, as it does on the runtime.
            let polled = {
                let _context = handle.enter();
                std::panic::catch_unwind(AssertUnwindSafe(|| {
                    call.as_mut().poll(&mut Context::from_waker(Waker::noop()))
                }))
            };
            match polled {
                Ok(Poll::Ready(reply)) => return PromiseRaw::resolve(env, reply),
                Ok(Poll::Pending) => {}
                Err(_) => return PromiseRaw::reject(env, shut_down()),
            }
        }
        let (deferred, promise) =
            env.create_deferred::<Option<String>, Resolve<Option<String>>>()?;
        let settle = Settle(Some(deferred));
        // Spawned, the call is polled again at once with the task's waker.
        handle.spawn(async move {
            settle.resolve(call.await);
        });
        Ok(PromiseRaw::new(env.raw(), promise.raw()))
    }

    /// Stops serving: calls in flight are cancelled (they answer
    /// `IPC_CANCELLED`), later calls are refused, and the runtime's threads
    /// end. The promise resolves once they have.
    pub fn close<'env>(&self, env: &'env Env) -> napi::Result<Object<'env>> {
        let (deferred, promise) = env.create_deferred::<(), Resolve<()>>()?;
        let settle = Settle(Some(deferred));
        self.shutdown.cancel();
        self.in_flight.cancel_all();
        let runtime = self
            .runtime
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let Some(runtime) = runtime else {
            settle.resolve(());
            return Ok(promise);
        };
        let in_flight = Arc::clone(&self.in_flight);
        // Off the JavaScript thread: waiting for the calls must not block it.
        std::thread::Builder::new()
            .name("ipc-router-close".to_owned())
            .spawn(move || {
                runtime.block_on(async {
                    if tokio::time::timeout(CLOSE_GRACE, in_flight.wait_idle())
                        .await
                        .is_err()
                    {
                        tracing::warn!("IPC calls still running at close; they are dropped");
                    }
                });
                runtime.shutdown_timeout(CLOSE_GRACE);
                settle.resolve(());
            })
            .map_err(|error| failure(format!("cannot stop the IPC runtime: {error}")))?;
        Ok(promise)
    }

    /// Cancels the calls in flight of `connection_id` (a window that is
    /// gone): they end with `IPC_CANCELLED` and their handlers' tokens are
    /// cancelled.
    pub fn disconnect(&self, connection_id: u32) {
        self.in_flight.disconnect(connection_id);
    }

    /// The channels the router serves, sorted.
    pub fn channels(&self) -> Vec<String> {
        self.router
            .channels()
            .into_iter()
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for Addon {
    /// At process exit (or when the object is collected without `close()`),
    /// never wait: cancel the calls and let the runtime's threads go.
    fn drop(&mut self) {
        self.shutdown.cancel();
        self.in_flight.cancel_all();
        let runtime = self
            .runtime
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(runtime) = runtime {
            runtime.shutdown_background();
        }
    }
}

/// Exports the router that `factory` builds as a Node.js addon:
/// `open(options, onEvent)` and the `IpcRouter` class. `factory` is a
/// `fn(serde_json::Value, ipc_node::Emitter) -> Result<Router, String>`,
/// or `-> Result<ipc_node::Served, String>` to make channels inline.
/// The crate needs `napi` and `napi-derive` as dependencies (the code
/// napi's macros write names them) and `crate-type = ["cdylib"]`.
#[macro_export]
macro_rules! addon {
    ($factory:path) => {
        /// An ipc-contracts router served to Node.js.
        #[::napi_derive::napi]
        pub struct IpcRouter {
            inner: $crate::Addon,
        }

        #[::napi_derive::napi]
        impl IpcRouter {
            /// Dispatches one request envelope (JSON text or UTF-8 bytes)
            /// for `caller`, received on `channel`; resolves with the reply
            /// envelope's JSON text, or `null` after a send succeeded.
            #[napi(ts_return_type = "Promise<string | null>")]
            pub fn dispatch<'env>(
                &self,
                env: &'env ::napi::Env,
                request: ::napi::bindgen_prelude::Either<
                    ::std::string::String,
                    ::napi::bindgen_prelude::Uint8Array,
                >,
                caller: $crate::Caller,
                channel: ::std::option::Option<::std::string::String>,
            ) -> ::napi::Result<
                ::napi::bindgen_prelude::PromiseRaw<
                    'env,
                    ::std::option::Option<::std::string::String>,
                >,
            > {
                self.inner.dispatch(env, request, caller, channel)
            }

            /// Cancels the calls in flight, refuses new ones and stops the
            /// runtime; resolves once it has stopped.
            #[napi(ts_return_type = "Promise<void>")]
            pub fn close<'env>(
                &self,
                env: &'env ::napi::Env,
            ) -> ::napi::Result<::napi::bindgen_prelude::Object<'env>> {
                self.inner.close(env)
            }

            /// Cancels the calls in flight of a `webContents.id` that is gone.
            #[napi]
            pub fn disconnect(&self, connection_id: u32) {
                self.inner.disconnect(connection_id)
            }

            /// The channels the router serves, sorted.
            #[napi]
            pub fn channels(&self) -> ::std::vec::Vec<::std::string::String> {
                self.inner.channels()
            }
        }

        /// Builds the router and starts its runtime. `on_event(envelope,
        /// target)` receives every event: target `null` for all windows, a
        /// role's name, or a `webContents.id`.
        #[::napi_derive::napi]
        pub fn open(
            options: ::serde_json::Value,
            on_event: $crate::EventCallback,
        ) -> ::napi::Result<IpcRouter> {
            ::std::result::Result::Ok(IpcRouter {
                inner: $crate::Addon::open(options, on_event, $factory)?,
            })
        }
    };
}
