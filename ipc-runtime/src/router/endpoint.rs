//! One contract's handler behind a type-erased endpoint: decoding, the
//! panic guard, the timeout, cancellation and the outbound checks.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use serde::Serialize;

use crate::context::CallContext;
use crate::contract::{Contract, ContractError, ContractKind};
use crate::validation::{self, DecodeError, Decoder, encode_outbound, encode_outbound_into};
use crate::wire::{
    self, FrameworkCode, HandlerFailure, IpcError, IpcHandlerError, IpcValidationError,
    PathSegment, ValidationField,
};

pub(super) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
pub(super) type HandlerFn<C, R, E> =
    Arc<dyn Fn(CallContext, C) -> BoxFuture<'static, Result<R, HandlerFailure<E>>> + Send + Sync>;

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

pub(super) struct Route {
    pub(super) channel: Arc<str>,
    pub(super) kind: ContractKind,
    pub(super) erased: Arc<dyn ErasedEndpoint>,
    pub(super) typed: Arc<dyn Any + Send + Sync>,
}

pub(super) struct EventRoute {
    pub(super) validator: Option<jsonschema::Validator>,
}

type Started<'a> = BoxFuture<'a, Result<Option<String>, IpcError>>;

/// The most a reply reserves up front, from its request's size. Past it
/// the reply grows as it is written: reserving as much as a 64 KB request
/// made glibc give the memory back and fault it in again for every reply
/// (docs/performance.md).
const MAX_REPLY_RESERVE: usize = 16 * 1024;

/// A payload decoded in its envelope's pass: the endpoint's own type.
pub(super) type Decoded = Box<dyn Any + Send>;

/// A call's payload as the router has it.
pub(super) enum Payload<'a> {
    /// Its raw text, not yet decoded.
    Text(&'a str),
    /// Decoded by this endpoint's [`ErasedEndpoint::parse_in_pass`].
    Decoded(Decoded),
}

pub(super) trait ErasedEndpoint: Send + Sync {
    /// Decodes the payload (unless it is decoded already), then returns
    /// the call to await. Its output is the whole success envelope (for
    /// the context's request id), its space reserved for `reply_hint`
    /// bytes (the request's size: an echo-like reply then grows no more).
    fn start<'a>(
        &'a self,
        context: CallContext,
        payload: Payload<'_>,
        reply_hint: usize,
    ) -> Result<Started<'a>, IpcError>;

    /// Parses and checks a request's envelope with its payload decoded by
    /// this endpoint's fast path in the same pass; `None` when anything is
    /// refused, and the request then takes the two-pass parse, whose
    /// answer is the exact one.
    fn parse_in_pass(&self, text: &str) -> Option<wire::Request<Decoded>>;
}

/// A decoder's fast path as the envelope's payload reader.
struct InPass<'d, C>(&'d Decoder<C>);

impl<'de, C: Contract> wire::PayloadSeed<'de> for InPass<'_, C> {
    type Value = C;

    #[inline]
    fn read<D: serde::Deserializer<'de>>(&self, deserializer: D) -> Result<C, D::Error> {
        self.0.decode_within(deserializer)
    }
}

pub(super) struct Endpoint<C, R, E> {
    pub(super) channel: Arc<str>,
    pub(super) decoder: Decoder<C>,
    pub(super) handler: HandlerFn<C, R, E>,
    pub(super) response_validator: Option<jsonschema::Validator>,
    pub(super) error_validator: Option<jsonschema::Validator>,
    pub(super) timeout: Option<Duration>,
    pub(super) replies: bool,
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
    pub(super) async fn execute(&self, context: CallContext, request: C) -> Result<R, IpcError> {
        // Shared with the handler's context and made only if needed: a
        // call that completes at its first poll never polls `cancelled`.
        let token = context.call_token();
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
                token.get().cancel();
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

    pub(super) fn drift(
        &self,
        invalid: IpcValidationError,
        request_id: &wire::RequestId,
    ) -> IpcError {
        tracing::error!(
            channel = %self.channel,
            request_id = %request_id,
            error = %invalid,
            "IPC handler produced data that does not match its contract"
        );
        IpcError::Validation(invalid)
    }
}

pub(super) fn cancelled() -> IpcError {
    IpcError::framework(FrameworkCode::Cancelled, "The call was cancelled")
}

impl<C, R, E> ErasedEndpoint for Endpoint<C, R, E>
where
    C: Contract,
    R: Serialize + Send + 'static,
    E: ContractError,
{
    fn start<'a>(
        &'a self,
        context: CallContext,
        payload: Payload<'_>,
        reply_hint: usize,
    ) -> Result<Started<'a>, IpcError> {
        let request = match payload {
            Payload::Text(text) => self
                .decoder
                .decode_text(text)
                .map_err(|error| match error {
                    DecodeError::TooDeep { limit } => IpcError::framework(
                        FrameworkCode::PayloadTooDeep,
                        format!("The payload nests deeper than {limit} levels"),
                    ),
                    DecodeError::Invalid(invalid) => IpcError::Validation(invalid),
                })?,
            // Decoded by this endpoint, so always a `C`.
            Payload::Decoded(decoded) => match decoded.downcast::<C>() {
                Ok(request) => *request,
                Err(_) => return Err(IpcError::Handler(IpcHandlerError::internal())),
            },
        };
        Ok(Box::pin(async move {
            let request_id = context.request_id().clone();
            let response = self.execute(context, request).await?;
            if !self.replies {
                return Ok(None);
            }
            // The data is written inside its envelope, not copied into it.
            let mut reply = String::with_capacity(reply_hint.clamp(128, MAX_REPLY_RESERVE));
            wire::begin_success(&mut reply, &request_id);
            encode_outbound_into(&mut reply, &response, self.response_validator.as_ref())
                .map_err(|invalid| self.drift(invalid, &request_id))?;
            reply.push('}');
            Ok(Some(reply))
        }))
    }

    fn parse_in_pass(&self, text: &str) -> Option<wire::Request<Decoded>> {
        let request = wire::parse_in_pass(text, InPass(&self.decoder))?;
        Some(request.map_payload(|payload| Box::new(payload) as Decoded))
    }
}
