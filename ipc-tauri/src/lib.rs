//! Serves an ipc-contracts [`Router`] to the webviews of a Tauri 2 app.
//!
//! ```no_run
//! let notes = notes_core::NotesService::open(std::path::Path::new("notes"))?;
//! let router = std::sync::Arc::new(notes.router()?);
//! let app = tauri::Builder::default().plugin(ipc_tauri::plugin(router));
//! # let _ = app;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The plugin is named `ipc` and has two commands. `dispatch` carries one
//! request of the wire protocol (`docs/protocol.md`) as a raw body and
//! answers with the reply's bytes, so a payload is parsed once, by the
//! router's validator. `subscribe` takes a `tauri::ipc::Channel` over which
//! the webview receives the events main emits to it ([`emit`]).
//!
//! A call runs on Tauri's async runtime, as an async command does, except
//! the calls of the channels an app marks inline ([`Builder::inline`]):
//! those start on the thread that received the request, which is the UI
//! thread on Linux, and answer from there when their handler finishes at
//! its first poll, as a synchronous command does (docs/adr/0033).
//!
//! Who called is decided here, never by the payload: the webview's label,
//! its window's label and the origin of the page it shows
//! ([`CallerIdentity`]). A page from a remote origin is refused with
//! `IPC_FORBIDDEN` unless the app allowed that origin
//! ([`Builder::allow_remote_origin`]), on top of Tauri's own ACL, which
//! refuses remote pages unless a capability names their URL.
//!
//! Which contracts a window may call comes from its capabilities: each
//! permission of the plugin grants `dispatch` with scopes `{ "channel": .. }`
//! (generated from the contracts by `ipc-codegen --target tauri`), and a
//! request whose channel no scope of the calling window allows is answered
//! with `IPC_FORBIDDEN` before its payload is validated.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use ipc_runtime::{
    CallerIdentity, CancellationToken, Contract, ContractKind, EventContract, FrameworkCode,
    InlineChannels, IpcError, Router, wire,
};
use serde::Deserialize;
use tauri::ipc::{
    Channel, CommandArg, CommandItem, CommandScope, Invoke, InvokeBody, InvokeError, InvokeMessage,
    InvokeResponseBody, Response,
};
use tauri::plugin::TauriPlugin;
use tauri::webview::PageLoadEvent;
use tauri::{AppHandle, Manager, RunEvent, Runtime, State, Url, Webview, WindowEvent};

/// The plugin's name and its commands, defined in `ipc_meta::protocol` so
/// that the generated `transport.tauri.ts` calls the same ones.
pub use ipc_meta::protocol::tauri::{DISPATCH_COMMAND, PLUGIN_NAME, SUBSCRIBE_COMMAND};

/// The origins of an app's own pages: the `tauri://localhost` custom
/// protocol (Linux, macOS) and `http(s)://tauri.localhost` (Windows,
/// Android).
pub const LOCAL_ORIGINS: [&str; 3] = [
    "tauri://localhost",
    "http://tauri.localhost",
    "https://tauri.localhost",
];

/// One scope entry of the plugin's permissions: the channel it allows (or,
/// in a `deny` list, refuses).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelScope {
    pub channel: String,
}

/// Configures the plugin.
#[derive(Debug)]
pub struct Builder {
    router: Arc<Router>,
    remote_origins: Vec<String>,
    inline: InlineChannels,
}

impl Builder {
    pub fn new(router: Arc<Router>) -> Self {
        Builder {
            router,
            remote_origins: Vec::new(),
            inline: InlineChannels::none(),
        }
    }

    /// Lets the calls of contract `C` start on the thread that received
    /// them (the UI thread on Linux), and answer from there when its
    /// handler finishes at its first poll: no hop to the async runtime and
    /// back. Only for a handler that never blocks before its first
    /// `.await` ([`InlineChannels`]).
    #[must_use]
    pub fn inline<C: Contract>(mut self) -> Self {
        self.inline = self.inline.with::<C>();
        self
    }

    /// [`inline`](Self::inline) by channel name; the app fails to start
    /// when the router does not serve it.
    #[must_use]
    pub fn inline_channel(mut self, channel: impl Into<String>) -> Self {
        self.inline = self.inline.with_channel(channel);
        self
    }

    /// [`inline`](Self::inline) for every channel: for a router none of
    /// whose handlers blocks before its first `.await`.
    #[must_use]
    pub fn inline_all(mut self) -> Self {
        self.inline = self.inline.with_every_channel();
        self
    }

    /// Requests larger than `bytes` run on the async runtime even on an
    /// inline channel (default [`ipc_runtime::DEFAULT_INLINE_MAX_BYTES`]).
    #[must_use]
    pub fn inline_max_bytes(mut self, bytes: usize) -> Self {
        self.inline = self.inline.max_bytes(bytes);
        self
    }

    /// Lets pages of `origin` (`scheme://host[:port]`, e.g.
    /// `"https://app.example.com"`) call the router. Their windows still
    /// need a capability with that URL in its `remote` list.
    #[must_use]
    pub fn allow_remote_origin(mut self, origin: impl Into<String>) -> Self {
        self.remote_origins.push(origin.into());
        self
    }

    pub fn build<R: Runtime>(self) -> TauriPlugin<R> {
        let Builder {
            router,
            remote_origins,
            inline,
        } = self;
        let others: Box<dyn Fn(Invoke<R>) -> bool + Send + Sync> =
            Box::new(tauri::generate_handler![subscribe]);
        tauri::plugin::Builder::new(PLUGIN_NAME)
            .invoke_handler(move |invoke| {
                if invoke.message.command() == DISPATCH_COMMAND {
                    dispatch(invoke);
                    true
                } else {
                    others(invoke)
                }
            })
            .setup(move |app, _api| {
                let unknown = inline.unknown_to(&router);
                if !unknown.is_empty() {
                    return Err(format!(
                        "inline channels the router does not serve: {}",
                        unknown.join(", ")
                    )
                    .into());
                }
                let mut allowed: Vec<String> =
                    LOCAL_ORIGINS.iter().map(|o| (*o).to_owned()).collect();
                // A debug build serves the pages from the dev server.
                if tauri::is_dev()
                    && let Some(dev_url) = &app.config().build.dev_url
                {
                    allowed.push(origin_of(dev_url));
                }
                allowed.extend(remote_origins);
                app.manage(Arc::new(Shared {
                    router,
                    inline,
                    allowed_origins: allowed,
                    connections: Mutex::new(HashMap::new()),
                    page_origins: Mutex::new(HashMap::new()),
                    window_ids: Mutex::new(HashMap::new()),
                    next_id: AtomicU64::new(1),
                }));
                Ok(())
            })
            .on_page_load(|webview, payload| {
                // The page that made the calls is gone: end its calls, and
                // its event channel with it.
                if payload.event() == PageLoadEvent::Started
                    && let Some(shared) = webview.try_state::<Arc<Shared>>()
                {
                    shared.disconnect(|label, _| label == webview.label());
                    lock(&shared.page_origins)
                        .insert(webview.label().to_owned(), origin_of(payload.url()));
                }
            })
            .on_event(|app, event| {
                if let RunEvent::WindowEvent {
                    label,
                    event: WindowEvent::Destroyed,
                    ..
                } = event
                    && let Some(shared) = app.try_state::<Arc<Shared>>()
                {
                    shared.disconnect(|_, connection| connection.window == *label);
                }
            })
            .build()
    }
}

/// The plugin with its defaults: only the app's own pages may call.
pub fn plugin<R: Runtime>(router: Arc<Router>) -> TauriPlugin<R> {
    Builder::new(router).build()
}

/// The plugin's state, managed by the app.
struct Shared {
    router: Arc<Router>,
    inline: InlineChannels,
    allowed_origins: Vec<String>,
    /// By webview label: the page it shows now.
    connections: Mutex<HashMap<String, Connection>>,
    /// By webview label: the origin of the page it started loading last.
    /// Asking the webview for its URL is a round trip to the UI thread.
    page_origins: Mutex<HashMap<String, String>>,
    window_ids: Mutex<HashMap<String, u64>>,
    next_id: AtomicU64,
}

struct Connection {
    id: u64,
    window: String,
    origin: String,
    /// Who calls on this connection: the webview's label is its role.
    caller: Arc<CallerIdentity>,
    /// Shared through an `Arc`, so a call makes a child token only if it
    /// needs one (see `ipc_runtime::TransportToken`).
    cancel: Arc<CancellationToken>,
    events: Option<Channel<InvokeResponseBody>>,
}

impl Shared {
    fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// The connection of `webview`'s current page; a new one when the page
    /// or its origin changed. The caller and the token are the
    /// connection's, shared by its calls, not made for each call.
    fn connection<R: Runtime>(
        &self,
        webview: &Webview<R>,
        origin: &str,
    ) -> (Arc<CallerIdentity>, Arc<CancellationToken>) {
        let window = webview.window();
        let window = window.label();
        if let Some(connection) = lock(&self.connections).get(webview.label())
            && connection.origin == origin
            && connection.window == window
        {
            return (
                Arc::clone(&connection.caller),
                Arc::clone(&connection.cancel),
            );
        }
        let window_id = *lock(&self.window_ids)
            .entry(window.to_owned())
            .or_insert_with(|| self.next_id());
        let mut connections = lock(&self.connections);
        let label = webview.label();
        let connection = connections
            .entry(label.to_owned())
            .or_insert_with(|| self.connect(label, window, window_id, origin));
        if connection.origin != origin || connection.window != window {
            connection.cancel.cancel();
            *connection = self.connect(label, window, window_id, origin);
        }
        (
            Arc::clone(&connection.caller),
            Arc::clone(&connection.cancel),
        )
    }

    fn connect(&self, label: &str, window: &str, window_id: u64, origin: &str) -> Connection {
        let id = self.next_id();
        Connection {
            id,
            window: window.to_owned(),
            origin: origin.to_owned(),
            caller: Arc::new(CallerIdentity::new(id, label, origin).with_window(window_id)),
            cancel: Arc::new(CancellationToken::new()),
            events: None,
        }
    }

    /// Cancels the calls of the connections `gone` selects and forgets them.
    fn disconnect(&self, gone: impl Fn(&str, &Connection) -> bool) {
        lock(&self.connections).retain(|label, connection| {
            let keep = !gone(label, connection);
            if !keep {
                connection.cancel.cancel();
            }
            keep
        });
    }

    /// The origin of the page `webview` shows: as its last page load
    /// reported it, else as the webview reports its URL.
    fn page_origin<R: Runtime>(&self, webview: &Webview<R>) -> tauri::Result<String> {
        if let Some(origin) = lock(&self.page_origins).get(webview.label()) {
            return Ok(origin.clone());
        }
        webview.url().map(|url| origin_of(&url))
    }

    fn origin_allowed(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|allowed| allowed == origin)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The maps stay consistent under a panic elsewhere: every update is one
    // insert or remove.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `scheme://host[:port]` of `url` (the `url` crate calls the origin of a
/// custom scheme such as `tauri:` opaque).
pub fn origin_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{}://{host}:{port}", url.scheme()),
        (Some(host), None) => format!("{}://{host}", url.scheme()),
        (None, _) => format!("{}:", url.scheme()),
    }
}

fn clip(text: &str) -> String {
    text.chars().take(128).collect()
}

fn failure(code: FrameworkCode, message: impl Into<String>) -> Response {
    Response::new(wire::encode_failure(
        None,
        &IpcError::framework(code, message),
    ))
}

/// Whether `scope` (what the calling window's capabilities resolved to)
/// lets it use `channel`: at least one allow entry names it and no deny
/// entry does.
fn permitted(scope: &CommandScope<ChannelScope>, channel: &str) -> bool {
    !scope.denies().iter().any(|s| s.channel == channel)
        && scope.allows().iter().any(|s| s.channel == channel)
}

/// The `dispatch` command, by hand rather than through
/// `generate_handler!`, so that a call of an inline channel can answer
/// from the thread that received it: polled once there, in the async
/// runtime's context, and moved to the runtime only when pending.
fn dispatch<R: Runtime>(invoke: Invoke<R>) {
    let Invoke {
        message,
        resolver,
        acl,
    } = invoke;
    let scope = CommandScope::<ChannelScope>::from_command(CommandItem {
        plugin: Some(PLUGIN_NAME),
        name: DISPATCH_COMMAND,
        key: "scope",
        message: &message,
        acl: &acl,
    });
    let scope = match scope {
        Ok(scope) => scope,
        Err(error) => return resolver.invoke_error(error),
    };
    let Some(shared) = message
        .webview_ref()
        .try_state::<Arc<Shared>>()
        .map(|state| Arc::clone(state.inner()))
    else {
        return resolver.invoke_error(InvokeError::from("the ipc plugin is not set up"));
    };
    let call = async move { Ok(respond(&shared, &message, &scope).await) };
    let mut call = Box::pin(call);
    let polled = {
        let _context = tauri::async_runtime::handle().inner().enter();
        std::panic::catch_unwind(AssertUnwindSafe(|| {
            call.as_mut().poll(&mut Context::from_waker(Waker::noop()))
        }))
    };
    match polled {
        Ok(Poll::Ready(response)) => resolver.respond::<Response>(response),
        // On the runtime, the call is polled again at once.
        Ok(Poll::Pending) => resolver.respond_async(call),
        // A handler's panic is the router's INTERNAL_ERROR reply; this is
        // one outside any handler.
        Err(_) => resolver.respond::<Response>(Ok(failure(
            FrameworkCode::Internal,
            "The IPC plugin failed while handling the request",
        ))),
    }
}

/// One `dispatch` request's reply; the checks before the router's own.
async fn respond<R: Runtime>(
    shared: &Shared,
    message: &InvokeMessage<R>,
    scope: &CommandScope<ChannelScope>,
) -> Response {
    let InvokeBody::Raw(bytes) = message.payload() else {
        return failure(
            FrameworkCode::MalformedRequest,
            "The request must be sent as raw bytes (a Uint8Array), not as JSON arguments",
        );
    };
    let webview = message.webview_ref();
    let origin = match shared.page_origin(webview) {
        Ok(origin) => origin,
        Err(error) => {
            tracing::warn!(%error, "IPC request from a webview without a URL");
            return failure(FrameworkCode::Forbidden, "The calling page has no origin");
        }
    };
    if !shared.origin_allowed(&origin) {
        return failure(
            FrameworkCode::Forbidden,
            format!("Pages of origin \"{}\" may not call main", clip(&origin)),
        );
    }
    let (caller, cancel) = shared.connection(webview, &origin);
    let permit = |channel: &str, _kind: ContractKind| permitted(scope, channel);
    let reply = shared
        .router
        .dispatch_inline(bytes, caller, &cancel, &permit, &shared.inline)
        .await;
    // A send that succeeded has no reply: an empty body says so.
    Response::new(reply.unwrap_or_default())
}

#[tauri::command]
async fn subscribe<R: Runtime>(
    webview: Webview<R>,
    on_event: Channel<InvokeResponseBody>,
    state: State<'_, Arc<Shared>>,
) -> Result<(), InvokeError> {
    let origin = state
        .page_origin(&webview)
        .map_err(InvokeError::from_error)?;
    if !state.origin_allowed(&origin) {
        return Err(InvokeError::from(
            "IPC_FORBIDDEN: this page's origin may not receive events",
        ));
    }
    // Registers (or renews) the page's connection, then attaches the channel.
    let _ = state.connection(&webview, &origin);
    if let Some(connection) = lock(&state.connections).get_mut(webview.label()) {
        connection.events = Some(on_event);
    }
    Ok(())
}

/// Which webviews an event goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Every webview that subscribed.
    All,
    /// The webviews of the window with this label.
    Window(String),
    /// The webviews of these windows.
    Windows(Vec<String>),
    /// The webview with this label.
    Webview(String),
    /// The page of a caller ([`CallerIdentity::connection_id`]): nothing
    /// once that page is gone, even if its webview shows another one.
    Connection(u64),
}

impl Target {
    fn matches(&self, webview: &str, connection: &Connection) -> bool {
        let window = connection.window.as_str();
        match self {
            Target::All => true,
            Target::Window(label) => label == window,
            Target::Windows(labels) => labels.iter().any(|label| label == window),
            Target::Webview(label) => label == webview,
            Target::Connection(id) => *id == connection.id,
        }
    }
}

/// Why an event was not sent.
#[derive(Debug)]
pub enum EmitError {
    /// The app has no `ipc` plugin ([`Builder::build`]).
    NotRegistered,
    /// The router refused the payload (unknown event channel, a payload
    /// that does not match its contract).
    Refused(IpcError),
}

impl std::fmt::Display for EmitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EmitError::NotRegistered => {
                f.write_str("the ipc plugin is not registered with this app")
            }
            EmitError::Refused(error) => write!(f, "the event was refused: {error}"),
        }
    }
}

impl std::error::Error for EmitError {}

/// Sends event `payload` to the subscribed webviews `target` selects,
/// checked like every event by [`Router::event`]. Returns how many
/// webviews it was sent to.
pub fn emit<R: Runtime, E: EventContract>(
    app: &AppHandle<R>,
    target: &Target,
    payload: &E,
) -> Result<usize, EmitError> {
    let shared = app
        .try_state::<Arc<Shared>>()
        .ok_or(EmitError::NotRegistered)?;
    let bytes = shared.router.event(payload).map_err(EmitError::Refused)?;
    // The router's envelopes are JSON text; Tauri hands JSON bodies to the
    // channel's listener already parsed.
    let text = String::from_utf8(bytes).map_err(|_| {
        EmitError::Refused(IpcError::Handler(ipc_runtime::IpcHandlerError::internal()))
    })?;
    let mut sent = 0;
    let mut connections = lock(&shared.connections);
    connections.retain(|label, connection| {
        let Some(events) = &connection.events else {
            return true;
        };
        if !target.matches(label, connection) {
            return true;
        }
        match events.send(InvokeResponseBody::Json(text.clone())) {
            Ok(()) => {
                sent += 1;
                true
            }
            Err(error) => {
                // The webview is gone.
                tracing::debug!(%error, webview = %label, "IPC event channel closed");
                connection.cancel.cancel();
                false
            }
        }
    });
    Ok(sent)
}

/// The label of the window with the numeric id the plugin gave it
/// ([`CallerIdentity::window_id`]), to answer a caller with [`emit`].
pub fn window_label<R: Runtime>(app: &AppHandle<R>, window_id: u64) -> Option<String> {
    let shared = app.try_state::<Arc<Shared>>()?;
    let ids = lock(&shared.window_ids);
    ids.iter()
        .find(|(_, id)| **id == window_id)
        .map(|(label, _)| label.clone())
}
