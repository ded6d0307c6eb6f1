//! What a handler learns about the call it serves.

use std::sync::{Arc, OnceLock};

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

/// A call's cancellation token, made the first time it is needed: a call
/// that completes at its first poll without looking at it (most do) never
/// makes one. Made as a child of the transport's token, when there is one.
/// Clones share it.
#[derive(Debug, Clone)]
pub(crate) struct CallToken(Arc<TokenCell>);

#[derive(Debug)]
struct TokenCell {
    parent: Option<Arc<CancellationToken>>,
    token: OnceLock<CancellationToken>,
}

impl CallToken {
    pub(crate) fn ready(token: CancellationToken) -> Self {
        CallToken(Arc::new(TokenCell {
            parent: None,
            token: OnceLock::from(token),
        }))
    }

    /// A token made, when first needed, as a child of `parent` (or on its
    /// own).
    pub(crate) fn lazy(parent: Option<Arc<CancellationToken>>) -> Self {
        CallToken(Arc::new(TokenCell {
            parent,
            token: OnceLock::new(),
        }))
    }

    pub(crate) fn get(&self) -> &CancellationToken {
        self.0.token.get_or_init(|| match &self.0.parent {
            Some(parent) => parent.child_token(),
            None => CancellationToken::new(),
        })
    }

    /// Whether it is cancelled, without making it: one not made yet is
    /// cancelled exactly when its parent is.
    pub(crate) fn is_cancelled(&self) -> bool {
        match self.0.token.get() {
            Some(token) => token.is_cancelled(),
            None => self
                .0
                .parent
                .as_ref()
                .is_some_and(|parent| parent.is_cancelled()),
        }
    }

    /// Completes when it is cancelled. It is made when this is first
    /// polled, not when this is called.
    pub(crate) async fn cancelled(&self) {
        self.get().cancelled().await;
    }
}

/// The context of one call, given to its handler.
#[derive(Debug, Clone)]
pub struct CallContext {
    request_id: RequestId,
    channel: Arc<str>,
    caller: Arc<CallerIdentity>,
    cancellation: CallToken,
}

impl CallContext {
    /// A context for an in-process call (see `Router::call`).
    pub fn new(request_id: impl Into<RequestId>, caller: CallerIdentity) -> Self {
        CallContext {
            request_id: request_id.into(),
            channel: Arc::from(""),
            caller: Arc::new(caller),
            cancellation: CallToken::lazy(None),
        }
    }

    /// A context for a routed call: the caller shared with the transport's
    /// other calls, so that no call copies it.
    pub(crate) fn routed(
        request_id: RequestId,
        caller: Arc<CallerIdentity>,
        channel: Arc<str>,
        cancellation: CallToken,
    ) -> Self {
        CallContext {
            request_id,
            channel,
            caller,
            cancellation,
        }
    }

    /// Uses `token` as this call's cancellation token: cancelling it ends
    /// the call with `IPC_CANCELLED`.
    #[must_use]
    pub fn with_cancellation(mut self, token: CancellationToken) -> Self {
        self.cancellation = CallToken::ready(token);
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
        self.cancellation.get()
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancellation.is_cancelled()
    }

    /// The call's token, shared and not yet made (the router's guards).
    pub(crate) fn call_token(&self) -> CallToken {
        self.cancellation.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> CallContext {
        CallContext::new(1, CallerIdentity::new(1, "main", "app://test"))
    }

    fn child_of(parent: Arc<CancellationToken>) -> CallContext {
        let caller = Arc::new(CallerIdentity::new(1, "main", "app://test"));
        let cancellation = CallToken::lazy(Some(parent));
        CallContext::routed(
            RequestId::Number(1),
            caller,
            Arc::from("test:call"),
            cancellation,
        )
    }

    #[test]
    fn a_lazy_token_follows_its_parent() {
        let parent = Arc::new(CancellationToken::new());
        let call = child_of(Arc::clone(&parent));
        let clone = call.clone();
        assert!(!call.is_cancelled());
        parent.cancel();
        // Not made yet, and already cancelled; made after, cancelled too.
        assert!(call.is_cancelled());
        assert!(call.cancellation().is_cancelled());
        assert!(clone.cancellation().is_cancelled());
    }

    #[test]
    fn a_lazy_token_is_shared_and_leaves_its_parent_alone() {
        let parent = Arc::new(CancellationToken::new());
        let call = child_of(Arc::clone(&parent));
        let clone = call.clone();
        let guard = call.call_token();
        guard.get().cancel();
        assert!(call.is_cancelled());
        assert!(clone.cancellation().is_cancelled());
        assert!(!parent.is_cancelled());
        // Another call of the same parent is not cancelled.
        assert!(!child_of(parent).is_cancelled());
    }

    #[test]
    fn a_context_without_a_parent_has_its_own_token() {
        let call = context();
        let clone = call.clone();
        assert!(!call.is_cancelled());
        call.cancellation().cancel();
        assert!(clone.is_cancelled());
        let token = CancellationToken::new();
        let given = context().with_cancellation(token.clone());
        token.cancel();
        assert!(given.is_cancelled());
    }
}
