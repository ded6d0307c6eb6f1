//! What a handler learns about the call it serves.

use std::sync::Arc;

use crate::wire::RequestId;

/// Who sent a request, as the transport reports it. The runtime never
/// derives identity from the payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CallerIdentity {
    /// The transport's id for the connection (e.g. Electron's
    /// `webContents.id`).
    pub connection_id: u64,
    /// The window the connection belongs to, when the transport knows it.
    pub window_id: Option<u64>,
    /// What the application made this connection for (e.g. `"main"`,
    /// `"settings"`), as the transport assigned it.
    pub role: String,
    /// The origin of the page that sent the request (e.g. `"app://notes"`).
    pub origin: String,
    /// The frame that sent the request, when the transport has frames
    /// (Electron: the sender's `WebFrameMain`).
    pub frame: Option<CallerFrame>,
}

/// The frame a request came from. Electron identifies a frame by the
/// renderer process it runs in and its routing id in that process
/// (`WebFrameMain.processId` and `.routingId`, which
/// `WebFrameMain.fromId` takes); the pair is unique while the frame lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallerFrame {
    /// The frame's renderer process (`WebFrameMain.processId`).
    pub process_id: u32,
    /// The frame's routing id in that process (`WebFrameMain.routingId`).
    pub routing_id: u32,
    /// Whether it is its page's main frame (`WebFrameMain.parent === null`),
    /// not a subframe such as an `<iframe>`.
    pub main_frame: bool,
}

impl CallerIdentity {
    pub fn new(connection_id: u64, role: impl Into<String>, origin: impl Into<String>) -> Self {
        CallerIdentity {
            connection_id,
            window_id: None,
            role: role.into(),
            origin: origin.into(),
            frame: None,
        }
    }

    #[must_use]
    pub fn with_window(mut self, window_id: u64) -> Self {
        self.window_id = Some(window_id);
        self
    }

    #[must_use]
    pub fn with_frame(mut self, frame: CallerFrame) -> Self {
        self.frame = Some(frame);
        self
    }
}

/// A cancellation signal shared by clones, with child tokens (cancelled
/// with their parent, never the other way round) and drop guards:
/// tokio-util's.
pub use tokio_util::sync::CancellationToken;

/// The context of one call, given to its handler.
#[derive(Debug, Clone)]
pub struct CallContext {
    request_id: RequestId,
    channel: Arc<str>,
    caller: Arc<CallerIdentity>,
    cancellation: CancellationToken,
}

impl CallContext {
    /// A context for an in-process call (see `Router::call`).
    pub fn new(request_id: impl Into<RequestId>, caller: CallerIdentity) -> Self {
        CallContext {
            request_id: request_id.into(),
            channel: Arc::from(""),
            caller: Arc::new(caller),
            cancellation: CancellationToken::new(),
        }
    }

    /// A context for a routed call: the caller shared with the transport's
    /// other calls, so that no call copies it.
    pub(crate) fn routed(
        request_id: RequestId,
        caller: Arc<CallerIdentity>,
        channel: Arc<str>,
    ) -> Self {
        CallContext {
            request_id,
            channel,
            caller,
            cancellation: CancellationToken::new(),
        }
    }

    /// Uses `token` as this call's cancellation token: cancelling it ends
    /// the call with `IPC_CANCELLED`.
    #[must_use]
    pub fn with_cancellation(mut self, token: CancellationToken) -> Self {
        self.cancellation = token;
        self
    }

    pub(crate) fn with_channel(mut self, channel: Arc<str>) -> Self {
        self.channel = channel;
        self
    }

    /// The id the client chose for the request.
    pub fn request_id(&self) -> &RequestId {
        &self.request_id
    }

    /// The contract's channel.
    pub fn channel(&self) -> &str {
        &self.channel
    }

    pub fn caller(&self) -> &CallerIdentity {
        &self.caller
    }

    /// Cancelled when the call times out or is cancelled; long handlers
    /// should watch it (its clones stay valid after the handler returns).
    pub fn cancellation(&self) -> &CancellationToken {
        &self.cancellation
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancellation.is_cancelled()
    }
}
