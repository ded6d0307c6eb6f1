//! Which calls a transport may start on a thread that must never wait: the
//! JavaScript thread of Electron's main process, the UI thread of a Tauri
//! app (docs/adr/0013, 0033).

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::Router;
use crate::contract::Contract;
use crate::naming::ContractNames;

/// The largest request an inline channel validates on the transport's own
/// thread by default; a larger one goes to the runtime whole.
pub const DEFAULT_INLINE_MAX_BYTES: usize = 64 * 1024;

/// The channels whose calls may start on the transport's own thread.
///
/// A call of an *inline* channel is validated and its handler polled once
/// on that thread; when the handler finishes at that first poll, the reply
/// goes back with no hop to another thread. When it does not (it awaits a
/// timer, I/O or [`blocking`](crate::blocking)), the call moves to the
/// runtime and goes on there. Mark a channel inline only when its handler
/// never blocks before its first `.await`: no disk or network I/O, no lock
/// that a slow task may hold, no unbounded computation. What inline costs
/// the thread is then bounded by the request size: requests above
/// [`max_bytes`](Self::max_bytes) always go to the runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineChannels {
    /// `None`: every channel.
    channels: Option<HashSet<String, foldhash::fast::RandomState>>,
    max_bytes: usize,
}

impl Default for InlineChannels {
    fn default() -> Self {
        InlineChannels::none()
    }
}

impl InlineChannels {
    /// No channel is inline: every call runs on the runtime.
    pub fn none() -> Self {
        InlineChannels {
            channels: Some(HashSet::default()),
            max_bytes: DEFAULT_INLINE_MAX_BYTES,
        }
    }

    /// Every channel is inline: for a router none of whose handlers blocks
    /// before its first `.await`.
    pub fn all() -> Self {
        InlineChannels::none().with_every_channel()
    }

    /// Makes every channel inline, keeping the size bound.
    #[must_use]
    pub fn with_every_channel(mut self) -> Self {
        self.channels = None;
        self
    }

    /// Adds contract `C`'s channel.
    #[must_use]
    pub fn with<C: Contract>(self) -> Self {
        self.with_channel(ContractNames::of(&C::DECLARATION).channel)
    }

    /// Adds `channel`; [`unknown_to`](Self::unknown_to) tells the channels a
    /// router does not serve.
    #[must_use]
    pub fn with_channel(mut self, channel: impl Into<String>) -> Self {
        if let Some(channels) = &mut self.channels {
            channels.insert(channel.into());
        }
        self
    }

    /// Requests larger than `bytes` go to the runtime even on an inline
    /// channel (default [`DEFAULT_INLINE_MAX_BYTES`]): the bound on the
    /// validation work done on the transport's thread.
    #[must_use]
    pub fn max_bytes(mut self, bytes: usize) -> Self {
        self.max_bytes = bytes;
        self
    }

    /// Whether a request of `len` bytes on `channel` may start inline.
    pub fn allows(&self, channel: &str, len: usize) -> bool {
        len <= self.max_bytes
            && self
                .channels
                .as_ref()
                .is_none_or(|channels| channels.contains(channel))
    }

    /// Whether a request of `len` bytes may start inline on some channel.
    pub fn admits_size(&self, len: usize) -> bool {
        len <= self.max_bytes && self.channels.as_ref().is_none_or(|c| !c.is_empty())
    }

    /// The named channels `router` has no handler for, sorted: a
    /// transport refuses to start with them, as they are surely a typo.
    pub fn unknown_to(&self, router: &Router) -> Vec<String> {
        let Some(channels) = &self.channels else {
            return Vec::new();
        };
        let mut unknown: Vec<String> = channels
            .iter()
            .filter(|channel| !router.routes.contains_key(channel.as_str()))
            .cloned()
            .collect();
        unknown.sort_unstable();
        unknown
    }
}

/// Pending once, then ready: the point where a call that may not go on
/// inline lets the transport move it to the runtime. It wakes itself, so
/// it also goes on at once wherever it is polled with a real waker.
pub(crate) struct YieldOnce(bool);

impl YieldOnce {
    pub(crate) fn new() -> Self {
        YieldOnce(false)
    }
}

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
