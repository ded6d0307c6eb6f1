//! The transport-agnostic router: handlers for the declared contracts, one
//! entry point for request bytes, a typed entry point for in-process
//! callers, and validated event envelopes.
//!
//! `builder` collects the handlers and checks them against the registered
//! contracts, `reply` says what a handler may return, `endpoint` runs one
//! contract's handler under its guards, `dispatch` routes a call, and
//! `inline` says which calls may start on a transport's own thread.

mod builder;
mod config;
mod dispatch;
mod endpoint;
mod inline;
mod reply;

use std::any::TypeId;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::context::CallerIdentity;
use crate::contract::ContractKind;

pub use builder::{BuildError, RouterBuilder};
pub use config::RouterConfig;
pub use dispatch::{BytesAnsweredAsText, RequestInput, TransportToken};
pub use endpoint::blocking;
pub use inline::{DEFAULT_INLINE_MAX_BYTES, InlineChannels};
pub use reply::{InvokeReply, SendReply, SyncInvokeReply, SyncSendReply};

use endpoint::{EventRoute, Route};

type Authorizer = Arc<dyn Fn(&CallerIdentity, &str, ContractKind) -> bool + Send + Sync>;

/// A check made for one call: may this caller use `channel` of `kind`?
pub type Permit<'a> = dyn Fn(&str, ContractKind) -> bool + Sync + 'a;

/// Routes requests to handlers. Cheap to share: wrap it in an `Arc`.
pub struct Router {
    config: RouterConfig,
    routes: HashMap<String, Route, foldhash::fast::RandomState>,
    by_type: HashMap<TypeId, String>,
    events: HashMap<String, EventRoute>,
    authorizer: Option<Authorizer>,
    /// Numbers the sends that came without an id.
    anonymous_sends: std::sync::atomic::AtomicU64,
}

impl fmt::Debug for Router {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut channels: Vec<&String> = self.routes.keys().collect();
        channels.sort();
        let mut events: Vec<&String> = self.events.keys().collect();
        events.sort();
        f.debug_struct("Router")
            .field("config", &self.config)
            .field("channels", &channels)
            .field("events", &events)
            .finish_non_exhaustive()
    }
}

impl Router {
    pub fn builder() -> RouterBuilder {
        RouterBuilder::new()
    }

    pub fn config(&self) -> &RouterConfig {
        &self.config
    }

    /// The channels this router has handlers for, sorted.
    pub fn channels(&self) -> Vec<&str> {
        let mut channels: Vec<&str> = self.routes.keys().map(String::as_str).collect();
        channels.sort_unstable();
        channels
    }
}
