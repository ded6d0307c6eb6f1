//! The transport-agnostic router: handlers for the declared contracts, one
//! entry point for request bytes, a typed entry point for in-process
//! callers, and validated event envelopes.

use crate::wire::clip;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use serde::Serialize;

use crate::context::{CallContext, CallerIdentity, CancellationToken};
use crate::contract::{
    Contract, ContractError, ContractKind, EventContract, InvokeContract, NoError, SendContract,
};
use crate::manifest::{CollectManifest, Manifest};
use crate::naming::ContractNames;
use crate::registry::registered_contracts;
use crate::validation::{self, DecodeError, Decoder, compile_schema, encode_outbound};
use crate::wire::{
    self, FrameworkCode, HandlerFailure, Input, IpcError, IpcHandlerError, IpcValidationError,
    PathSegment, ValidationField,
};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
type HandlerFn<C, R, E> =
    Arc<dyn Fn(CallContext, C) -> BoxFuture<'static, Result<R, HandlerFailure<E>>> + Send + Sync>;
type Authorizer = Arc<dyn Fn(&CallerIdentity, &str, ContractKind) -> bool + Send + Sync>;

/// Limits and checks of a router.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouterConfig {
    /// The largest request accepted, in bytes, checked before parsing.
    /// Default 8 MiB.
    pub max_request_bytes: usize,
    /// How deep a payload may nest arrays and objects. Default 64. Payloads
    /// are parsed with serde_json, whose recursion limit is 128: deeper
    /// payloads are refused whatever this says.
    pub max_depth: usize,
    /// How long a handler may run; `None` for no limit. Default 30 s.
    /// Needs a tokio runtime with the time driver enabled: on one without
    /// it, a call that does not complete at its first poll is refused with
    /// `INTERNAL_ERROR` (and logged) rather than run without its limit.
    pub timeout: Option<Duration>,
    /// Validate responses, typed errors and event payloads against their
    /// schemas. Default: on in debug builds (and tests), off in release.
    /// The safe-integer check on outbound data runs either way.
    pub validate_outbound: bool,
}

impl Default for RouterConfig {
    fn default() -> Self {
        RouterConfig {
            max_request_bytes: 8 * 1024 * 1024,
            max_depth: 64,
            timeout: Some(Duration::from_secs(30)),
            validate_outbound: cfg!(debug_assertions),
        }
    }
}

/// What an async invoke handler returns: a future of
/// `Result<C::Response, E>`, where `E` is the contract's error, an
/// [`IpcHandlerError`] or a [`HandlerFailure`] (so `?` works on both).
pub trait InvokeReply<C: InvokeContract>:
    Future<Output = Result<C::Response, Self::Error>> + Send + 'static
{
    type Error: Into<HandlerFailure<C::Error>>;
}

impl<C, F, E> InvokeReply<C> for F
where
    C: InvokeContract,
    F: Future<Output = Result<C::Response, E>> + Send + 'static,
    E: Into<HandlerFailure<C::Error>>,
{
    type Error = E;
}

/// What a blocking invoke handler returns: `Result<C::Response, E>`.
pub trait SyncInvokeReply<C: InvokeContract>: Send + 'static {
    type Error: Into<HandlerFailure<C::Error>>;

    fn into_result(self) -> Result<C::Response, Self::Error>;
}

impl<C, E> SyncInvokeReply<C> for Result<C::Response, E>
where
    C: InvokeContract,
    E: Into<HandlerFailure<C::Error>> + Send + 'static,
{
    type Error = E;

    fn into_result(self) -> Self {
        self
    }
}

/// What an async send handler returns: a future of `Result<(), E>`.
pub trait SendReply: Future<Output = Result<(), Self::Error>> + Send + 'static {
    type Error: Into<HandlerFailure<NoError>>;
}

impl<F, E> SendReply for F
where
    F: Future<Output = Result<(), E>> + Send + 'static,
    E: Into<HandlerFailure<NoError>>,
{
    type Error = E;
}

/// What a blocking send handler returns: `Result<(), E>`.
pub trait SyncSendReply: Send + 'static {
    type Error: Into<HandlerFailure<NoError>>;

    fn into_result(self) -> Result<(), Self::Error>;
}

impl<E> SyncSendReply for Result<(), E>
where
    E: Into<HandlerFailure<NoError>> + Send + 'static,
{
    type Error = E;

    fn into_result(self) -> Self {
        self
    }
}

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

fn channel_of<C: Contract>() -> String {
    ContractNames::of(&C::DECLARATION).channel
}

impl RouterBuilder {
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
        let mut routes = HashMap::new();
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

/// How a handler's time limit ended.
enum Deadline {
    Passed,
    /// The runtime has no time driver, so the limit cannot be kept.
    NoTimer,
}

/// Runs blocking `work` (disk, a slow library) on tokio's blocking pool,
/// for a handler that must not hold up the runtime's threads. A panic in
/// `work` is resumed in the calling task, so in a handler it becomes an
/// `INTERNAL_ERROR` reply like any handler panic.
pub fn blocking<R: Send + 'static>(
    work: impl FnOnce() -> R + Send + 'static,
) -> BoxFuture<'static, R> {
    Box::pin(async move {
        match tokio::task::spawn_blocking(work).await {
            Ok(result) => result,
            Err(error) => match error.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                // The blocking pool is shutting down with the runtime.
                Err(_) => std::panic::resume_unwind(Box::new("blocking handler was cancelled")),
            },
        }
    })
}

struct Route {
    channel: Arc<str>,
    kind: ContractKind,
    erased: Arc<dyn ErasedEndpoint>,
    typed: Arc<dyn Any + Send + Sync>,
}

struct EventRoute {
    validator: Option<jsonschema::Validator>,
}

type Started<'a> = BoxFuture<'a, Result<Option<String>, IpcError>>;

trait ErasedEndpoint: Send + Sync {
    /// Decodes the payload, then returns the call to await.
    fn start<'a>(&'a self, context: CallContext, payload: &str) -> Result<Started<'a>, IpcError>;
}

struct Endpoint<C, R, E> {
    channel: Arc<str>,
    decoder: Decoder<C>,
    handler: HandlerFn<C, R, E>,
    response_validator: Option<jsonschema::Validator>,
    error_validator: Option<jsonschema::Validator>,
    timeout: Option<Duration>,
    replies: bool,
}

/// Polls a future, turning a panic into an `Err`.
struct CatchPanic<F>(F);

impl<F: Future + Unpin> Future for CatchPanic<F> {
    type Output = Result<F::Output, Box<dyn Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.0;
        match std::panic::catch_unwind(AssertUnwindSafe(|| Pin::new(inner).poll(cx))) {
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

impl<C, R, E> Endpoint<C, R, E>
where
    C: Contract,
    R: Serialize + Send + 'static,
    E: ContractError,
{
    /// Runs the handler under the panic guard, the timeout and the call's
    /// cancellation token (a child of the transport's, when it gave one).
    async fn execute(&self, context: CallContext, request: C) -> Result<R, IpcError> {
        let token = context.cancellation().clone();
        let request_id = context.request_id().clone();
        let panicked = |panic: Box<dyn Any + Send>| {
            tracing::error!(
                channel = %self.channel,
                request_id = %request_id,
                panic = panic_message(panic.as_ref()),
                "IPC handler panicked"
            );
            IpcError::Handler(IpcHandlerError::internal())
        };
        let handler = &self.handler;
        let future = match std::panic::catch_unwind(AssertUnwindSafe(|| handler(context, request)))
        {
            Ok(future) => future,
            Err(panic) => return Err(panicked(panic)),
        };
        let timeout = self.timeout;
        let deadline = async move {
            match timeout {
                // `sleep` panics on a runtime built without the time driver.
                Some(timeout) => match std::panic::catch_unwind(|| tokio::time::sleep(timeout)) {
                    Ok(sleep) => {
                        sleep.await;
                        Deadline::Passed
                    }
                    Err(_) => Deadline::NoTimer,
                },
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            outcome = CatchPanic(future) => match outcome {
                Ok(Ok(response)) => Ok(response),
                Ok(Err(failure)) => Err(self.failure(failure, &request_id)),
                Err(panic) => Err(panicked(panic)),
            },
            () = token.cancelled() => Err(cancelled()),
            deadline = deadline => {
                token.cancel();
                match deadline {
                    Deadline::Passed => {
                        let millis = timeout.map_or(0, |t| t.as_millis());
                        tracing::warn!(channel = %self.channel, request_id = %request_id, timeout_ms = %millis, "IPC handler timed out");
                        Err(IpcError::framework(
                            FrameworkCode::Timeout,
                            format!("The handler did not finish within {millis} ms"),
                        ))
                    }
                    Deadline::NoTimer => {
                        // Refused rather than run without its time limit.
                        tracing::error!(channel = %self.channel, request_id = %request_id, "IPC handler timeouts need a tokio runtime with the time driver (`enable_time` or `enable_all` on its builder); the call was refused");
                        Err(IpcError::Handler(IpcHandlerError::internal()))
                    }
                }
            }
        }
    }

    /// The wire error of a handler failure, after the outbound checks.
    fn failure(&self, failure: HandlerFailure<E>, request_id: &wire::RequestId) -> IpcError {
        let error = match failure {
            HandlerFailure::Contract(error) => {
                // The details sent are the bytes serde wrote, read back, in
                // both outbound modes (an `f32` stays as serde wrote it).
                let encoded = match encode_outbound(&error, self.error_validator.as_ref()) {
                    Ok(encoded) => encoded,
                    Err(invalid) => return self.drift(invalid, request_id),
                };
                match IpcHandlerError::from_encoded_contract_error(&error, encoded.as_bytes()) {
                    Ok(error) => error,
                    Err(serde_error) => {
                        tracing::error!(channel = %self.channel, request_id = %request_id, error = %serde_error, "IPC contract error could not be serialized");
                        IpcHandlerError::internal()
                    }
                }
            }
            HandlerFailure::Handler(error) => error,
        };
        if let Some(details) = &error.details {
            let mut issues = validation::unsafe_integers(details);
            if !issues.is_empty() {
                for issue in &mut issues {
                    issue.path.insert(0, PathSegment::Key("details".to_owned()));
                }
                let invalid = IpcValidationError::new(ValidationField::Response, issues, false);
                return self.drift(invalid, request_id);
            }
        }
        IpcError::Handler(error)
    }

    fn drift(&self, invalid: IpcValidationError, request_id: &wire::RequestId) -> IpcError {
        tracing::error!(
            channel = %self.channel,
            request_id = %request_id,
            error = %invalid,
            "IPC handler produced data that does not match its contract"
        );
        IpcError::Validation(invalid)
    }
}

fn cancelled() -> IpcError {
    IpcError::framework(FrameworkCode::Cancelled, "The call was cancelled")
}

impl<C, R, E> ErasedEndpoint for Endpoint<C, R, E>
where
    C: Contract,
    R: Serialize + Send + 'static,
    E: ContractError,
{
    fn start<'a>(&'a self, context: CallContext, payload: &str) -> Result<Started<'a>, IpcError> {
        let request = self
            .decoder
            .decode_text(payload)
            .map_err(|error| match error {
                DecodeError::TooDeep { limit } => IpcError::framework(
                    FrameworkCode::PayloadTooDeep,
                    format!("The payload nests deeper than {limit} levels"),
                ),
                DecodeError::Invalid(invalid) => IpcError::Validation(invalid),
            })?;
        Ok(Box::pin(async move {
            let request_id = context.request_id().clone();
            let response = self.execute(context, request).await?;
            if !self.replies {
                return Ok(None);
            }
            encode_outbound(&response, self.response_validator.as_ref())
                .map(Some)
                .map_err(|invalid| self.drift(invalid, &request_id))
        }))
    }
}

/// A check made for one call: may this caller use `channel` of `kind`?
pub type Permit<'a> = dyn Fn(&str, ContractKind) -> bool + Sync + 'a;

/// Routes requests to handlers. Cheap to share: wrap it in an `Arc`.
pub struct Router {
    config: RouterConfig,
    routes: HashMap<String, Route>,
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
        RouterBuilder {
            config: RouterConfig::default(),
            pending: Vec::new(),
            timeouts: Vec::new(),
            problems: Vec::new(),
            authorizer: None,
        }
    }

    pub fn config(&self) -> &RouterConfig {
        &self.config
    }

    /// Handles one request: `request` is the bytes the renderer sent,
    /// `caller` who sent them. Returns the reply to send back: always for
    /// an invoke, and for every failure (with `id: null` when the request's
    /// id could not be read); `None` after a send succeeded.
    pub async fn dispatch(&self, request: &[u8], caller: CallerIdentity) -> Option<Vec<u8>> {
        self.dispatch_inner(Input::Bytes(request), Arc::new(caller), None, None)
            .await
            .map(String::into_bytes)
    }

    /// [`dispatch`](Self::dispatch), ending the call with `IPC_CANCELLED`
    /// (and cancelling the handler's token) when `cancel` is cancelled —
    /// e.g. a token the transport cancels when the connection closes.
    pub async fn dispatch_cancellable(
        &self,
        request: &[u8],
        caller: CallerIdentity,
        cancel: &CancellationToken,
    ) -> Option<Vec<u8>> {
        self.dispatch_inner(Input::Bytes(request), Arc::new(caller), Some(cancel), None)
            .await
            .map(String::into_bytes)
    }

    /// [`dispatch_cancellable`](Self::dispatch_cancellable) for a request
    /// already known to be UTF-8, with the reply as text: neither is
    /// validated again (the WebSocket transport's text frames).
    pub(crate) async fn dispatch_text(
        &self,
        request: &str,
        caller: Arc<CallerIdentity>,
        cancel: &CancellationToken,
    ) -> Option<String> {
        self.dispatch_inner(Input::Text(request), caller, Some(cancel), None)
            .await
    }

    /// [`dispatch_cancellable`](Self::dispatch_cancellable) with a check
    /// made for this call only: once the channel's route is found, and
    /// before its payload is looked at, `permit(channel, kind)` must return
    /// true, or the reply is `IPC_FORBIDDEN`. For transports whose grants
    /// depend on the caller at call time (Tauri resolves a window's
    /// capabilities per command); the router's own authorizer still runs.
    pub async fn dispatch_permitted(
        &self,
        request: &[u8],
        caller: CallerIdentity,
        cancel: &CancellationToken,
        permit: &Permit<'_>,
    ) -> Option<Vec<u8>> {
        self.dispatch_inner(
            Input::Bytes(request),
            Arc::new(caller),
            Some(cancel),
            Some(permit),
        )
        .await
        .map(String::into_bytes)
    }

    async fn dispatch_inner(
        &self,
        input: Input<'_>,
        caller: Arc<CallerIdentity>,
        cancel: Option<&CancellationToken>,
        permit: Option<&Permit<'_>>,
    ) -> Option<String> {
        let bytes = input.as_bytes();
        if bytes.len() > self.config.max_request_bytes {
            let error = IpcError::framework(
                FrameworkCode::PayloadTooLarge,
                format!(
                    "The request is {} bytes; the limit is {} bytes",
                    bytes.len(),
                    self.config.max_request_bytes
                ),
            );
            return Some(wire::encode_failure_text(
                wire::leading_id(bytes).as_ref(),
                &error,
            ));
        }
        let request = match wire::parse_input(input) {
            Ok(request) => request,
            Err(refused) => {
                tracing::debug!(error = %refused.error, "IPC request refused");
                return Some(wire::encode_failure_text(
                    refused.id.as_ref(),
                    &IpcError::Handler(refused.error),
                ));
            }
        };
        let id = request.id;
        let fail = |error: IpcError| Some(wire::encode_failure_text(id.as_ref(), &error));
        let Some(route) = self.routes.get(&request.channel) else {
            return fail(IpcError::framework(
                FrameworkCode::UnknownChannel,
                format!("No handler for channel \"{}\"", clip(&request.channel, 128)),
            ));
        };
        if route.kind != request.kind {
            return fail(IpcError::framework(
                FrameworkCode::MalformedRequest,
                format!(
                    "Channel \"{}\" is a {} contract, but the request's kind is \"{}\"",
                    route.channel,
                    route.kind.as_str(),
                    request.kind.as_str()
                ),
            ));
        }
        if let Some(permit) = permit
            && !permit(&route.channel, route.kind)
        {
            return fail(IpcError::framework(
                FrameworkCode::Forbidden,
                format!(
                    "This caller has no permission for channel \"{}\"",
                    route.channel
                ),
            ));
        }
        if let Err(error) = self.authorized(&caller, route) {
            return fail(error);
        }
        // An id-less send still gets an id for its handler and the logs.
        let context_id = id.clone().unwrap_or_else(|| {
            wire::RequestId::String(format!(
                "send-{}",
                self.anonymous_sends
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            ))
        });
        let mut context = CallContext::routed(context_id, caller, Arc::clone(&route.channel));
        if let Some(cancel) = cancel {
            // The call's own token: cancelling the transport's ends the call,
            // while a timeout cancels this call only.
            context = context.with_cancellation(cancel.child_token());
        }
        let outcome = match route.erased.start(context, request.payload.get()) {
            Ok(call) => call.await,
            Err(error) => Err(error),
        };
        match outcome {
            Ok(Some(data)) => id.as_ref().map(|id| wire::encode_success(id, &data)),
            Ok(None) => None,
            Err(error) => fail(error),
        }
    }

    fn authorized(&self, caller: &CallerIdentity, route: &Route) -> Result<(), IpcError> {
        match &self.authorizer {
            Some(authorize) if !authorize(caller, &route.channel, route.kind) => {
                Err(IpcError::framework(
                    FrameworkCode::Forbidden,
                    format!("This caller may not use channel \"{}\"", route.channel),
                ))
            }
            _ => Ok(()),
        }
    }

    fn endpoint<C: Contract, R: 'static, E: 'static>(
        &self,
        context: &CallContext,
    ) -> Result<(&Route, &Endpoint<C, R, E>), IpcError> {
        let route = self
            .by_type
            .get(&TypeId::of::<C>())
            .and_then(|channel| self.routes.get(channel))
            .ok_or_else(|| {
                IpcError::framework(
                    FrameworkCode::UnknownChannel,
                    format!("No handler for channel \"{}\"", channel_of::<C>()),
                )
            })?;
        self.authorized(context.caller(), route)?;
        let endpoint = route
            .typed
            .downcast_ref::<Endpoint<C, R, E>>()
            .ok_or_else(|| IpcError::Handler(IpcHandlerError::internal()))?;
        Ok((route, endpoint))
    }

    /// Calls invoke contract `C`'s handler in process, with the same
    /// validation of the request, panic guard, timeout and cancellation as
    /// [`dispatch`](Self::dispatch). The response is checked against its
    /// schema when outbound validation is on.
    pub async fn call<C: InvokeContract>(
        &self,
        context: CallContext,
        request: C,
    ) -> Result<C::Response, IpcError> {
        let (route, endpoint) = self.endpoint::<C, C::Response, C::Error>(&context)?;
        endpoint.decoder.check(&request)?;
        let request_id = context.request_id().clone();
        let context = context.with_channel(Arc::clone(&route.channel));
        let response = endpoint.execute(context, request).await?;
        if let Some(validator) = &endpoint.response_validator {
            encode_outbound(&response, Some(validator))
                .map_err(|invalid| endpoint.drift(invalid, &request_id))?;
        }
        Ok(response)
    }

    /// Delivers send contract `C`'s payload to its handler in process.
    pub async fn send<C: SendContract>(
        &self,
        context: CallContext,
        payload: C,
    ) -> Result<(), IpcError> {
        let (route, endpoint) = self.endpoint::<C, (), NoError>(&context)?;
        endpoint.decoder.check(&payload)?;
        let context = context.with_channel(Arc::clone(&route.channel));
        endpoint.execute(context, payload).await
    }

    /// The event envelope for `payload`, ready for the transport to
    /// broadcast. The payload goes through the safe-integer check, and its
    /// schema when outbound validation is on.
    pub fn event<E: EventContract>(&self, payload: &E) -> Result<Vec<u8>, IpcError> {
        self.event_text(payload).map(String::into_bytes)
    }

    /// [`event`](Self::event) as text, for transports that send text.
    pub(crate) fn event_text<E: EventContract>(&self, payload: &E) -> Result<String, IpcError> {
        let channel = channel_of::<E>();
        let Some(route) = self.events.get(&channel) else {
            return Err(IpcError::framework(
                FrameworkCode::UnknownChannel,
                format!("Event channel \"{channel}\" is not registered"),
            ));
        };
        match encode_outbound(payload, route.validator.as_ref()) {
            Ok(text) => Ok(wire::encode_event(&channel, &text)),
            Err(invalid) => {
                tracing::error!(channel = %channel, error = %invalid, "IPC event payload does not match its contract");
                Err(IpcError::Validation(invalid))
            }
        }
    }

    /// The channels this router has handlers for, sorted.
    pub fn channels(&self) -> Vec<&str> {
        let mut channels: Vec<&str> = self.routes.keys().map(String::as_str).collect();
        channels.sort_unstable();
        channels
    }
}
