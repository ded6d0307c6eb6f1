//! Collecting handlers and checking them against the registered contracts.

use std::any::TypeId;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use super::endpoint::{Endpoint, EventRoute, HandlerFn, Route, blocking};
use super::reply::{InvokeReply, SendReply, SyncInvokeReply, SyncSendReply};
use super::{Authorizer, Router, RouterConfig};
use crate::context::{CallContext, CallerIdentity};
use crate::contract::{
    Contract, ContractError, ContractKind, InvokeContract, NoError, SendContract,
};
use crate::manifest::{CollectManifest, Manifest};
use crate::naming::ContractNames;
use crate::registry::registered_contracts;
use crate::validation::{Decoder, compile_schema};

/// Why a router could not be built. Every problem is listed, not only the
/// first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    /// Channels of invoke and send contracts that have no handler.
    pub missing_handlers: Vec<String>,
    /// Every other problem: duplicate handlers, registry conflicts,
    /// schemas that do not compile.
    pub problems: Vec<String>,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "the router cannot be built:")?;
        if !self.missing_handlers.is_empty() {
            writeln!(
                f,
                "  - no handler for {} contract(s): {}",
                self.missing_handlers.len(),
                self.missing_handlers.join(", ")
            )?;
        }
        for problem in &self.problems {
            writeln!(f, "  - {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BuildError {}

/// What a handler registration needs from the manifest.
struct Schemas<'a> {
    config: &'a RouterConfig,
    payload: serde_json::Value,
    response: Option<serde_json::Value>,
    error: Option<serde_json::Value>,
    timeout: Option<Duration>,
}

type MakeRoute = Box<dyn FnOnce(&Schemas<'_>) -> Result<Route, String> + Send>;

struct Pending {
    channel: String,
    rust_path: &'static str,
    type_id: TypeId,
    make: MakeRoute,
}

/// Collects handlers; [`build`](Self::build) checks them against the
/// registered contracts.
pub struct RouterBuilder {
    config: RouterConfig,
    pending: Vec<Pending>,
    timeouts: Vec<(String, Option<Duration>)>,
    problems: Vec<String>,
    authorizer: Option<Authorizer>,
}

impl fmt::Debug for RouterBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RouterBuilder")
            .field("config", &self.config)
            .field(
                "handlers",
                &self.pending.iter().map(|p| &p.channel).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

pub(super) fn channel_of<C: Contract>() -> String {
    ContractNames::of(&C::DECLARATION).channel
}

impl RouterBuilder {
    pub(super) fn new() -> Self {
        RouterBuilder {
            config: RouterConfig::default(),
            pending: Vec::new(),
            timeouts: Vec::new(),
            problems: Vec::new(),
            authorizer: None,
        }
    }

    /// Replaces the whole configuration.
    #[must_use]
    pub fn config(mut self, config: RouterConfig) -> Self {
        self.config = config;
        self
    }

    #[must_use]
    pub fn max_request_bytes(mut self, bytes: usize) -> Self {
        self.config.max_request_bytes = bytes;
        self
    }

    #[must_use]
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.config.max_depth = depth;
        self
    }

    /// The default handler timeout; `None` for none.
    #[must_use]
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.config.timeout = timeout;
        self
    }

    /// The timeout of contract `C`'s handler, overriding the default.
    #[must_use]
    pub fn contract_timeout<C: Contract>(mut self, timeout: Option<Duration>) -> Self {
        self.timeouts.push((channel_of::<C>(), timeout));
        self
    }

    #[must_use]
    pub fn validate_outbound(mut self, validate: bool) -> Self {
        self.config.validate_outbound = validate;
        self
    }

    /// Decides which caller may use which channel; a refused call gets
    /// `IPC_FORBIDDEN` before its payload is looked at.
    #[must_use]
    pub fn authorize(
        mut self,
        authorizer: impl Fn(&CallerIdentity, &str, ContractKind) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.authorizer = Some(Arc::new(authorizer));
        self
    }

    /// Handles invoke contract `C` with an async handler:
    /// `.invoke::<GetNote, _>(|ctx, request| async move { .. })`.
    #[must_use]
    pub fn invoke<C: InvokeContract, F: InvokeReply<C>>(
        self,
        handler: impl Fn(CallContext, C) -> F + Send + Sync + 'static,
    ) -> Self {
        let handler: HandlerFn<C, C::Response, C::Error> = Arc::new(move |context, request| {
            let future = handler(context, request);
            Box::pin(async move { future.await.map_err(Into::into) })
        });
        self.register::<C, C::Response, C::Error>(handler)
    }

    /// Handles invoke contract `C` with a blocking handler, run on tokio's
    /// blocking pool: `.invoke_sync::<ListNotes, _>(|ctx, request| Ok(..))`.
    #[must_use]
    pub fn invoke_sync<C: InvokeContract, R: SyncInvokeReply<C>>(
        self,
        handler: impl Fn(CallContext, C) -> R + Send + Sync + 'static,
    ) -> Self {
        let handler = Arc::new(handler);
        let handler: HandlerFn<C, C::Response, C::Error> = Arc::new(move |context, request| {
            let handler = Arc::clone(&handler);
            blocking(move || handler(context, request).into_result().map_err(Into::into))
        });
        self.register::<C, C::Response, C::Error>(handler)
    }

    /// Handles send contract `C` with an async handler.
    #[must_use]
    pub fn send<C: SendContract, F: SendReply>(
        self,
        handler: impl Fn(CallContext, C) -> F + Send + Sync + 'static,
    ) -> Self {
        let handler: HandlerFn<C, (), NoError> = Arc::new(move |context, payload| {
            let future = handler(context, payload);
            Box::pin(async move { future.await.map_err(Into::into) })
        });
        self.register::<C, (), NoError>(handler)
    }

    /// Handles send contract `C` with a blocking handler, run on tokio's
    /// blocking pool.
    #[must_use]
    pub fn send_sync<C: SendContract, R: SyncSendReply>(
        self,
        handler: impl Fn(CallContext, C) -> R + Send + Sync + 'static,
    ) -> Self {
        let handler = Arc::new(handler);
        let handler: HandlerFn<C, (), NoError> = Arc::new(move |context, payload| {
            let handler = Arc::clone(&handler);
            blocking(move || handler(context, payload).into_result().map_err(Into::into))
        });
        self.register::<C, (), NoError>(handler)
    }

    fn register<C, R, E>(mut self, handler: HandlerFn<C, R, E>) -> Self
    where
        C: Contract,
        R: Serialize + Send + 'static,
        E: ContractError,
    {
        let channel = channel_of::<C>();
        let rust_path = std::any::type_name::<C>();
        if let Some(first) = self.pending.iter().find(|p| p.channel == channel) {
            self.problems.push(format!(
                "channel `{channel}` has two handlers (for `{}` and `{rust_path}`)",
                first.rust_path
            ));
            return self;
        }
        let make: MakeRoute = Box::new(move |schemas: &Schemas<'_>| {
            let decoder =
                Decoder::<C>::with_schema(schemas.payload.clone(), schemas.config.max_depth)
                    .map_err(|error| format!("the payload schema of `{rust_path}`: {error}"))?;
            let outbound = |schema: &Option<serde_json::Value>, what: &str| match schema {
                Some(schema) if schemas.config.validate_outbound => compile_schema(schema)
                    .map(Some)
                    .map_err(|error| format!("the {what} schema of `{rust_path}`: {error}")),
                _ => Ok(None),
            };
            let response_validator = outbound(&schemas.response, "response")?;
            let error_validator = outbound(&schemas.error, "error")?;
            let channel: Arc<str> = Arc::from(channel_of::<C>());
            let endpoint = Arc::new(Endpoint {
                channel: Arc::clone(&channel),
                decoder,
                handler,
                response_validator,
                error_validator,
                timeout: schemas.timeout,
                replies: C::KIND == ContractKind::Invoke,
            });
            Ok(Route {
                channel,
                kind: C::KIND,
                erased: endpoint.clone(),
                typed: endpoint,
            })
        });
        self.pending.push(Pending {
            channel,
            rust_path,
            type_id: TypeId::of::<C>(),
            make,
        });
        self
    }

    /// Checks the handlers against every registered contract: every invoke
    /// and send contract needs exactly one handler. All problems are
    /// reported together.
    pub fn build(self) -> Result<Router, BuildError> {
        let mut problems = self.problems;
        let contracts = match registered_contracts() {
            Ok(contracts) => contracts,
            Err(error) => {
                problems.extend(error.conflicts);
                return Err(BuildError {
                    missing_handlers: Vec::new(),
                    problems,
                });
            }
        };
        let manifest = Manifest::from_contracts(&contracts);
        let mut missing_handlers = Vec::new();
        let mut events = HashMap::new();
        for contract in &manifest.contracts {
            match contract.kind {
                ContractKind::Event => {
                    let validator = if self.config.validate_outbound {
                        match compile_schema(&manifest.payload_root_schema(contract)) {
                            Ok(validator) => Some(validator),
                            Err(error) => {
                                problems.push(format!(
                                    "the payload schema of `{}`: {error}",
                                    contract.rust_path
                                ));
                                None
                            }
                        }
                    } else {
                        None
                    };
                    events.insert(contract.channel.clone(), EventRoute { validator });
                }
                ContractKind::Invoke | ContractKind::Send => {
                    if !self.pending.iter().any(|p| p.channel == contract.channel) {
                        missing_handlers.push(contract.channel.clone());
                    }
                }
            }
        }
        let mut routes = HashMap::default();
        let mut by_type = HashMap::new();
        for pending in self.pending {
            let Some(contract) = manifest.contract(&pending.channel) else {
                problems.push(format!(
                    "a handler was given for `{}` on channel `{}`, but no such contract is registered",
                    pending.rust_path, pending.channel
                ));
                continue;
            };
            if contract.rust_path != pending.rust_path {
                problems.push(format!(
                    "channel `{}` belongs to `{}`, but its handler was given for `{}`",
                    pending.channel, contract.rust_path, pending.rust_path
                ));
                continue;
            }
            let timeout = self
                .timeouts
                .iter()
                .rev()
                .find(|(channel, _)| *channel == pending.channel)
                .map_or(self.config.timeout, |(_, timeout)| *timeout);
            let schemas = Schemas {
                config: &self.config,
                payload: manifest.payload_root_schema(contract),
                response: manifest.response_root_schema(contract),
                error: manifest.error_root_schema(contract),
                timeout,
            };
            match (pending.make)(&schemas) {
                Ok(route) => {
                    by_type.insert(pending.type_id, pending.channel.clone());
                    routes.insert(pending.channel, route);
                }
                Err(problem) => problems.push(problem),
            }
        }
        for (channel, _) in &self.timeouts {
            if manifest.contract(channel).is_none() {
                problems.push(format!(
                    "a timeout was set for channel `{channel}`, but no such contract is registered"
                ));
            }
        }
        if !missing_handlers.is_empty() || !problems.is_empty() {
            return Err(BuildError {
                missing_handlers,
                problems,
            });
        }
        Ok(Router {
            config: self.config,
            routes,
            by_type,
            events,
            authorizer: self.authorizer,
            anonymous_sends: std::sync::atomic::AtomicU64::new(1),
        })
    }
}
