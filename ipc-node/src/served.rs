//! What a router factory returns: the router and its inline channels.

pub use ipc_runtime::DEFAULT_INLINE_MAX_BYTES;
use ipc_runtime::{Contract, InlineChannels, Router};

/// What a router factory returns: the router, and the channels whose calls
/// may start on the JavaScript thread (ADR 0013). A factory may return a
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
    pub(crate) router: Router,
    pub(crate) inline: InlineChannels,
}

impl std::fmt::Debug for Served {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Served")
            .field("inline", &self.inline)
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
            inline: InlineChannels::none(),
        }
    }

    /// Lets the calls of contract `C` start on the JavaScript thread.
    #[must_use]
    pub fn inline<C: Contract>(mut self) -> Self {
        self.inline = self.inline.with::<C>();
        self
    }

    /// Lets the calls of `channel` start on the JavaScript thread; `open()`
    /// fails when the router does not serve it.
    #[must_use]
    pub fn inline_channel(mut self, channel: impl Into<String>) -> Self {
        self.inline = self.inline.with_channel(channel);
        self
    }

    /// Lets the calls of every channel start on the JavaScript thread: for
    /// a router none of whose handlers blocks before its first `.await`.
    #[must_use]
    pub fn inline_all(mut self) -> Self {
        self.inline = self.inline.with_every_channel();
        self
    }

    /// Requests larger than `bytes` go to the runtime even on an inline
    /// channel (default [`DEFAULT_INLINE_MAX_BYTES`]): the bound on the
    /// validation work done on the JavaScript thread.
    #[must_use]
    pub fn inline_max_bytes(mut self, bytes: usize) -> Self {
        self.inline = self.inline.max_bytes(bytes);
        self
    }
}
