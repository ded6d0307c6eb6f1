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
//! with `dispatch(request, caller, channel)` (the reply envelope, or `null`
//! after a send succeeded, or a Promise of either), `caller(caller)` (the
//! caller converted once, for many calls), `channelId(channel)` (a
//! channel's id, which `dispatch` takes in place of its name),
//! `disconnect(webContentsId)`, `close()` and `channels()`. Calls run on
//! the router's own multi-thread tokio runtime, but for the first poll of
//! an inline channel's call (see [`Served`]), which answers at once when
//! it completes; events reach `onEvent` through a threadsafe function.
//! See `docs/transport-electron.md`.

use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use ipc_runtime::{
    BytesAnsweredAsText, CallerIdentity, CancellationToken, ContractKind, InlineChannels, Router,
};
use napi::bindgen_prelude::{Either, External, JsValue, Object, PromiseRaw, Uint8Array};
use napi::{Env, JsString, Status};
use tokio::sync::Notify;

mod caller;
mod emitter;
mod served;
mod text;

pub use caller::{Caller, Frame, SharedCaller};
use emitter::EmitterState;
pub use emitter::{EmitError, Emitter, EventCallback};
pub use served::{DEFAULT_INLINE_MAX_BYTES, Served};
pub use text::JsonMessage;

#[doc(hidden)]
pub use napi;

/// How long `close()` waits for calls that ignore their cancellation.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

/// The calls in flight: a cancellation token per connection (`disconnect`
/// cancels one connection's calls, `close()` all of them), and a count that
/// `close()` waits on.
#[derive(Default)]
struct InFlight {
    /// One entry per connection that called, until it is disconnected.
    /// Shared through an `Arc`, so a call makes a child token only if it
    /// needs one (see `ipc_runtime::TransportToken`).
    connections: Mutex<Connections>,
    calls: AtomicUsize,
    idle: Notify,
}

/// Each connection's token, hashed with foldhash (seeded per map): the
/// map is looked up at every call.
type Connections = HashMap<u64, Arc<CancellationToken>, foldhash::fast::RandomState>;

/// One call's place in [`InFlight`], released when the call ends.
struct InFlightGuard(Arc<InFlight>);

impl InFlight {
    fn lock(&self) -> std::sync::MutexGuard<'_, Connections> {
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a call of `connection`; returns its cancellation token.
    fn enter(self: &Arc<Self>, connection: u64) -> (InFlightGuard, Arc<CancellationToken>) {
        let token = Arc::clone(self.lock().entry(connection).or_default());
        self.calls.fetch_add(1, Ordering::SeqCst);
        (InFlightGuard(Arc::clone(self)), token)
    }

    /// Cancels the calls of `connection`; a later call gets a fresh token.
    fn disconnect(&self, connection: u64) {
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

/// Dispatches `request`: refused unless its envelope names `channel`, the
/// channel it was received on, when there is one.
async fn route<R: ipc_runtime::RequestInput + ?Sized>(
    router: &Router,
    request: &R,
    caller: Arc<CallerIdentity>,
    cancel: &Arc<CancellationToken>,
    channel: Option<&str>,
) -> Option<R::Reply> {
    match channel {
        Some(channel) => {
            let received_on = |routed: &str, _: ContractKind| routed == channel;
            router
                .dispatch_permitted(request, caller, cancel, &received_on)
                .await
        }
        None => router.dispatch_cancellable(request, caller, cancel).await,
    }
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
    /// The channels the router serves, sorted: a channel's id is its index.
    channels: Vec<Arc<str>>,
    inline: InlineChannels,
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
        let Served { router, inline } = {
            let _context = runtime.enter();
            factory(options, emitter.clone()).map_err(failure)?.into()
        };
        let unknown = inline.unknown_to(&router);
        if !unknown.is_empty() {
            return Err(failure(format!(
                "inline channels the router does not serve: {}",
                unknown.join(", ")
            )));
        }
        let channels = router.channels().into_iter().map(Arc::from).collect();
        let router = Arc::new(router);
        // Set once, just above: the only writer.
        let _ = emitter.state.router.set(Arc::clone(&router));
        Ok(Addon {
            router,
            channels,
            inline,
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

    /// The id of `channel`, which [`dispatch`](Self::dispatch) takes in
    /// place of its name: a number crosses N-API without a copy.
    pub fn channel_id(&self, channel: &str) -> napi::Result<u32> {
        self.index_of(channel)
            .and_then(|index| u32::try_from(index).ok())
            .ok_or_else(|| {
                napi::Error::new(
                    Status::InvalidArg,
                    format!("the router serves no channel {channel:?}"),
                )
            })
    }

    /// Where `channel` is in the sorted channels, when the router serves it.
    fn index_of(&self, channel: &str) -> Option<usize> {
        self.channels
            .binary_search_by(|served| (**served).cmp(channel))
            .ok()
    }

    /// The channel a request was received on, from its id or its name
    /// (one the router does not serve is kept: the router refuses it).
    fn received_on(&self, channel: Either<u32, String>) -> napi::Result<Arc<str>> {
        match channel {
            Either::A(id) => usize::try_from(id)
                .ok()
                .and_then(|index| self.channels.get(index))
                .cloned()
                .ok_or_else(|| {
                    napi::Error::new(Status::InvalidArg, format!("no channel has the id {id}"))
                }),
            Either::B(name) => Ok(match self.index_of(&name) {
                Some(index) => Arc::clone(&self.channels[index]),
                None => Arc::from(name),
            }),
        }
    }

    /// Dispatches `request` for `caller`. The answer is the reply envelope
    /// (JSON text, see [`JsonMessage`]), or `null` after a send succeeded:
    /// as it is when the call completed on this thread, otherwise a
    /// promise of it, which rejects only when the addon is closed.
    ///
    /// `channel` is the channel the request was received on (the glue
    /// passes the `ipcMain` channel), by name or by its id from
    /// [`channel_id`](Self::channel_id). With it, a request whose envelope
    /// names another channel is refused with `IPC_FORBIDDEN`, and
    /// a call of an inline channel starts on this thread (see [`Served`]);
    /// without it, every call runs on the runtime.
    pub fn dispatch<'env>(
        &self,
        env: &'env Env,
        request: Either<JsString<'env>, Uint8Array>,
        caller: Either<&External<SharedCaller>, Caller>,
        channel: Option<Either<u32, String>>,
    ) -> napi::Result<Either<Option<JsonMessage>, PromiseRaw<'env, Option<JsonMessage>>>> {
        let caller: Arc<CallerIdentity> = match caller {
            Either::A(shared) => shared.identity(),
            Either::B(caller) => Arc::new(caller.into()),
        };
        let channel = channel
            .map(|channel| self.received_on(channel))
            .transpose()?;
        let Some(handle) = self.handle().filter(|_| !self.shutdown.is_cancelled()) else {
            return PromiseRaw::reject(env, shut_down()).map(Either::B);
        };
        // Copied: the JavaScript buffer must not be read from another thread.
        // Text stays text: the router neither validates it nor its reply.
        let request = match request {
            Either::A(text) => Either::A(text::read_request_text(env, &text)?),
            Either::B(bytes) => Either::B(bytes.to_vec()),
        };
        let length = match &request {
            Either::A(text) => text.len(),
            Either::B(bytes) => bytes.len(),
        };
        let inline = channel
            .as_deref()
            .is_some_and(|channel| self.inline.allows(channel, length));
        let router = Arc::clone(&self.router);
        let (guard, cancel) = self.in_flight.enter(caller.connection_id);
        let call = async move {
            let _guard = guard;
            let channel = channel.as_deref();
            let reply = match &request {
                Either::A(text) => route(&router, text, caller, &cancel, channel).await,
                Either::B(bytes) => {
                    let bytes = BytesAnsweredAsText(bytes.as_slice());
                    route(&router, &bytes, caller, &cancel, channel).await
                }
            };
            reply.map(JsonMessage)
        };
        let mut call: Pin<Box<dyn Future<Output = Option<JsonMessage>> + Send>> = Box::pin(call);
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
                Ok(Poll::Ready(reply)) => return Ok(Either::A(reply)),
                Ok(Poll::Pending) => {}
                Err(_) => return PromiseRaw::reject(env, shut_down()).map(Either::B),
            }
        }
        let (deferred, promise) =
            env.create_deferred::<Option<JsonMessage>, Resolve<Option<JsonMessage>>>()?;
        let settle = Settle(Some(deferred));
        // Spawned, the call is polled again at once with the task's waker.
        handle.spawn(async move {
            settle.resolve(call.await);
        });
        Ok(Either::B(PromiseRaw::new(env.raw(), promise.raw())))
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
        self.in_flight.disconnect(connection_id.into());
    }

    /// The channels the router serves, sorted.
    pub fn channels(&self) -> Vec<String> {
        self.channels
            .iter()
            .map(|channel| channel.to_string())
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
            /// for `caller` (an object, or a handle from `caller()`),
            /// received on `channel` (its name, or its id from
            /// `channelId`); answers with the reply envelope's
            /// JSON text (its UTF-8 bytes from
            /// `ipc_meta::protocol::electron::BYTES_FROM` bytes on), or
            /// `null` after a send succeeded: at once when the call
            /// completed on this thread, otherwise with a promise of it.
            #[napi(
                ts_return_type = "string | Uint8Array | null | Promise<string | Uint8Array | null>"
            )]
            pub fn dispatch<'env>(
                &self,
                env: &'env ::napi::Env,
                request: ::napi::bindgen_prelude::Either<
                    ::napi::JsString<'env>,
                    ::napi::bindgen_prelude::Uint8Array,
                >,
                caller: ::napi::bindgen_prelude::Either<
                    &::napi::bindgen_prelude::External<$crate::SharedCaller>,
                    $crate::Caller,
                >,
                channel: ::std::option::Option<
                    ::napi::bindgen_prelude::Either<u32, ::std::string::String>,
                >,
            ) -> ::napi::Result<
                ::napi::bindgen_prelude::Either<
                    ::std::option::Option<$crate::JsonMessage>,
                    ::napi::bindgen_prelude::PromiseRaw<
                        'env,
                        ::std::option::Option<$crate::JsonMessage>,
                    >,
                >,
            > {
                self.inner.dispatch(env, request, caller, channel)
            }

            /// Converts `caller` once, for the calls of one sending frame:
            /// `dispatch` then reads no caller object.
            #[napi(ts_return_type = "ExternalObject<'IpcCallerHandle'>")]
            pub fn caller(
                &self,
                caller: $crate::Caller,
            ) -> ::napi::bindgen_prelude::External<$crate::SharedCaller> {
                ::napi::bindgen_prelude::External::new(caller.into())
            }

            /// The id of a channel the router serves, which `dispatch`
            /// takes in place of its name (a number crosses N-API
            /// without a copy); throws for any other channel.
            #[napi]
            pub fn channel_id(&self, channel: ::std::string::String) -> ::napi::Result<u32> {
                self.inner.channel_id(&channel)
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
