//! Routing one call: the request bytes of a transport, or a typed call
//! made in process, and the envelopes of events.

use std::any::TypeId;
use std::sync::Arc;

use super::builder::channel_of;
use super::endpoint::{Endpoint, Payload, Route};
use super::inline::{InlineChannels, YieldOnce};
use super::{Permit, Router};
use crate::context::{CallContext, CallToken, CallerIdentity, CancellationToken};
use crate::contract::{Contract, EventContract, InvokeContract, NoError, SendContract};
use crate::validation::encode_outbound;
use crate::wire::{self, FrameworkCode, Input, IpcError, IpcHandlerError, clip};

/// The token a transport cancels to end its calls (a connection closing),
/// whose child each call's token is. From a `&CancellationToken`, the child
/// is made when the call starts; from a `&Arc<CancellationToken>`, only if
/// the call needs it (its handler asks for it, it does not complete at its
/// first poll, or it times out), which saves most calls a lock and an
/// allocation (docs/adr/0045-reply-in-place-and-lazy-call-tokens.md).
#[derive(Clone, Copy, Debug)]
pub struct TransportToken<'a>(Cancel<'a>);

#[derive(Clone, Copy, Debug)]
enum Cancel<'a> {
    Token(&'a CancellationToken),
    /// Shared, so that the call's token can be made later, if at all.
    Shared(&'a Arc<CancellationToken>),
}

impl<'a> From<&'a CancellationToken> for TransportToken<'a> {
    fn from(token: &'a CancellationToken) -> Self {
        TransportToken(Cancel::Token(token))
    }
}

impl<'a> From<&'a Arc<CancellationToken>> for TransportToken<'a> {
    fn from(token: &'a Arc<CancellationToken>) -> Self {
        TransportToken(Cancel::Shared(token))
    }
}

/// What a transport received as a request: bytes (`[u8]`, `Vec<u8>`,
/// `[u8; N]`), answered with the reply's bytes, or text (`str`, `String`),
/// answered with the reply's text, or bytes answered with text
/// ([`BytesAnsweredAsText`]). Text is already known to be UTF-8, so
/// neither it nor the reply is validated again.
pub trait RequestInput: sealed::Input {
    /// The reply as the transport sends it back.
    type Reply: sealed::Reply;
}

/// Request bytes answered with the reply's text, for a transport that
/// receives bytes but sends text (the Electron addon's `Uint8Array`
/// callers): the router writes its replies as text, so this reply is not
/// validated as UTF-8 again, as one made from bytes would be.
#[derive(Clone, Copy, Debug)]
pub struct BytesAnsweredAsText<'a>(pub &'a [u8]);

/// The request's bytes, as the router reads them.
impl std::ops::Deref for BytesAnsweredAsText<'_> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.0
    }
}

mod sealed {
    use crate::wire;

    /// How each kind of request is read.
    pub trait Input {
        fn input(&self) -> Raw<'_>;
    }

    /// A request as the router reads it (a type of its own, so that the
    /// router's `wire::Input` stays private).
    #[derive(Debug)]
    pub struct Raw<'a>(pub(super) wire::Input<'a>);

    /// Each request type: its reply, and how the router reads it.
    macro_rules! request_inputs {
        ($([$($generic:tt)*] $request:ty => $reply:ty, $read:ident;)*) => {$(
            impl<$($generic)*> super::RequestInput for $request {
                type Reply = $reply;
            }

            impl<$($generic)*> Input for $request {
                fn input(&self) -> Raw<'_> {
                    Raw(wire::Input::$read(self))
                }
            }
        )*};
    }

    request_inputs! {
        [] [u8] => Vec<u8>, Bytes;
        [] Vec<u8> => Vec<u8>, Bytes;
        [const N: usize] [u8; N] => Vec<u8>, Bytes;
        [] str => String, Text;
        [] String => String, Text;
        ['a] super::BytesAnsweredAsText<'a> => String, Bytes;
    }

    /// The reply, made from the router's text.
    pub trait Reply {
        fn from_text(text: String) -> Self;
    }

    impl Reply for Vec<u8> {
        fn from_text(text: String) -> Self {
            text.into_bytes()
        }
    }

    impl Reply for String {
        fn from_text(text: String) -> Self {
            text
        }
    }
}

impl Router {
    /// Handles one request: `request` is what the renderer sent, as bytes
    /// or as text (see [`RequestInput`]: a reply of the same kind comes
    /// back), `caller` who sent it (an identity, or one shared by a
    /// connection's calls as an `Arc`). Returns the reply to send back:
    /// always for an invoke, and for every failure (with `id: null` when the
    /// request's id could not be read); `None` after a send succeeded.
    pub async fn dispatch<R: RequestInput + ?Sized>(
        &self,
        request: &R,
        caller: impl Into<Arc<CallerIdentity>>,
    ) -> Option<R::Reply> {
        self.dispatch_inner(
            sealed::Input::input(request).0,
            caller.into(),
            None,
            None,
            None,
        )
        .await
        .map(<R::Reply as sealed::Reply>::from_text)
    }

    /// [`dispatch`](Self::dispatch), ending the call with `IPC_CANCELLED`
    /// (and cancelling the handler's token) when `cancel` is cancelled —
    /// e.g. a token the transport cancels when the connection closes. Pass
    /// it as a `&Arc<CancellationToken>` to spare calls that do not need a
    /// token of their own from making one (see [`TransportToken`]).
    pub async fn dispatch_cancellable<R: RequestInput + ?Sized>(
        &self,
        request: &R,
        caller: impl Into<Arc<CallerIdentity>>,
        cancel: impl Into<TransportToken<'_>>,
    ) -> Option<R::Reply> {
        self.dispatch_inner(
            sealed::Input::input(request).0,
            caller.into(),
            Some(cancel.into().0),
            None,
            None,
        )
        .await
        .map(<R::Reply as sealed::Reply>::from_text)
    }

    /// [`dispatch`](Self::dispatch) (or, with `permit`,
    /// [`dispatch_permitted`](Self::dispatch_permitted)) parsing in two
    /// passes whatever the request: the reference the one-pass parse is
    /// compared with.
    #[cfg(feature = "fuzzing")]
    pub(crate) async fn dispatch_two_pass(
        &self,
        request: &[u8],
        caller: CallerIdentity,
        permit: Option<&Permit<'_>>,
    ) -> Option<String> {
        self.dispatch_inner(
            Input::TwoPass(request),
            Arc::new(caller),
            None,
            permit,
            None,
        )
        .await
    }

    /// [`dispatch_cancellable`](Self::dispatch_cancellable) with a check
    /// made for this call only: once the channel's route is found, and
    /// before its payload is looked at, `permit(channel, kind)` must return
    /// true, or the reply is `IPC_FORBIDDEN`. For transports whose grants
    /// depend on the caller at call time (Tauri resolves a window's
    /// capabilities per command); the router's own authorizer still runs.
    /// It is asked once per call, for the route the envelope's leading
    /// `channel` names when there is one (then possibly for a request whose
    /// envelope is refused after), and a payload is decoded only once it
    /// and the authorizer let the call through.
    pub async fn dispatch_permitted<R: RequestInput + ?Sized>(
        &self,
        request: &R,
        caller: impl Into<Arc<CallerIdentity>>,
        cancel: impl Into<TransportToken<'_>>,
        permit: &Permit<'_>,
    ) -> Option<R::Reply> {
        self.dispatch_inner(
            sealed::Input::input(request).0,
            caller.into(),
            Some(cancel.into().0),
            Some(permit),
            None,
        )
        .await
        .map(<R::Reply as sealed::Reply>::from_text)
    }

    /// [`dispatch_permitted`](Self::dispatch_permitted) for a transport
    /// that polls the call once on its own thread, one that must never wait
    /// (a UI thread), and moves the call to the runtime when that poll is
    /// pending (docs/adr/0033). A call `inline` does not allow is pending at
    /// its first poll: at once when the request is larger than inline
    /// requests may be, else once routed, before its payload is validated.
    /// So that thread validates and runs the handlers of inline channels
    /// only, and for any other request does no more than read its envelope.
    pub async fn dispatch_inline<R: RequestInput + ?Sized>(
        &self,
        request: &R,
        caller: impl Into<Arc<CallerIdentity>>,
        cancel: impl Into<TransportToken<'_>>,
        permit: &Permit<'_>,
        inline: &InlineChannels,
    ) -> Option<R::Reply> {
        self.dispatch_inner(
            sealed::Input::input(request).0,
            caller.into(),
            Some(cancel.into().0),
            Some(permit),
            Some(inline),
        )
        .await
        .map(<R::Reply as sealed::Reply>::from_text)
    }

    async fn dispatch_inner(
        &self,
        input: Input<'_>,
        caller: Arc<CallerIdentity>,
        cancel: Option<Cancel<'_>>,
        permit: Option<&Permit<'_>>,
        inline: Option<&InlineChannels>,
    ) -> Option<String> {
        let bytes = input.as_bytes();
        // Inline, until a check below moves the call to the runtime.
        let mut inline = inline;
        if inline.is_some_and(|inline| !inline.admits_size(bytes.len())) {
            inline = None;
            YieldOnce::new().await;
        }
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
        // A request that is text (UTF-8: a transport's text frames, and
        // most byte requests) and whose channel leads is parsed in one
        // pass, its payload decoded by the route's fast path; anything that
        // pass refuses is parsed again in two, which gives the exact answer
        // (docs/adr/0044-single-pass-envelope.md). The checks a payload
        // waits for (the per-call permit, the authorizer, a thread that must
        // not decode other channels' payloads) are made first, on the route
        // the leading channel names: a refused caller's payload is never
        // decoded, and the answer is kept for the route the parse finds.
        let text = input.text();
        let mut early: Option<(&Route, Result<(), IpcError>)> = None;
        let in_pass = text.and_then(|text| {
            let channel = wire::leading_channel(text)?;
            let route = self.routes.get(channel)?;
            let admitted = self.admit(&caller, route, permit);
            let decodable = admitted.is_ok()
                && inline.is_none_or(|inline| inline.allows(&route.channel, bytes.len()));
            early = Some((route, admitted));
            if !decodable {
                return None;
            }
            let request = route.erased.parse_in_pass(text)?;
            // The route that decoded it is the request's.
            (request.channel == channel).then_some(request)
        });
        // The route the one pass decoded for, found by its leading channel.
        let decoded_by = in_pass
            .as_ref()
            .and(early.as_ref())
            .map(|(route, _)| *route);
        let request = match in_pass {
            Some(request) => request.map_payload(Payload::Decoded),
            None => match wire::parse_input(text.map_or(input, Input::Text)) {
                Ok(request) => request.map_payload(|raw| Payload::Text(raw.get())),
                Err(refused) => {
                    tracing::debug!(error = %refused.error, "IPC request refused");
                    return Some(wire::encode_failure_text(
                        refused.id.as_ref(),
                        &IpcError::Handler(refused.error),
                    ));
                }
            },
        };
        let id = request.id;
        let fail = |error: IpcError| Some(wire::encode_failure_text(id.as_ref(), &error));
        let Some(route) = decoded_by.or_else(|| self.routes.get(&request.channel)) else {
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
        let admitted = match early {
            Some((checked, admitted)) if std::ptr::eq(checked, route) => admitted,
            _ => self.admit(&caller, route, permit),
        };
        if let Err(error) = admitted {
            return fail(error);
        }
        // Never after the one pass, which only a channel allowed here takes.
        if decoded_by.is_none()
            && inline.is_some_and(|inline| !inline.allows(&route.channel, bytes.len()))
        {
            YieldOnce::new().await;
        }
        // An id-less send still gets an id for its handler and the logs.
        let context_id = id.clone().unwrap_or_else(|| {
            wire::RequestId::String(format!(
                "send-{}",
                self.anonymous_sends
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            ))
        });
        // The call's own token: cancelling the transport's ends the call,
        // while a timeout cancels this call only. A shared one's child is
        // made only if the call needs it (a token's clone would take its
        // tree's lock; the `Arc`'s is an increment).
        let cancellation = match cancel {
            Some(Cancel::Token(cancel)) => CallToken::ready(cancel.child_token()),
            Some(Cancel::Shared(cancel)) => CallToken::lazy(Some(Arc::clone(cancel))),
            None => CallToken::lazy(None),
        };
        let context =
            CallContext::routed(context_id, caller, Arc::clone(&route.channel), cancellation);
        let outcome = match route.erased.start(context, request.payload, bytes.len()) {
            Ok(call) => call.await,
            Err(error) => Err(error),
        };
        match outcome {
            // The endpoint wrote the whole envelope, for `context_id`: the
            // request's id whenever it replies (an invoke's is required).
            Ok(Some(reply)) => id.as_ref().map(|_| reply),
            Ok(None) => None,
            Err(error) => fail(error),
        }
    }

    /// The checks a call passes before its payload is decoded: the
    /// transport's per-call permit, then the router's authorizer.
    fn admit(
        &self,
        caller: &CallerIdentity,
        route: &Route,
        permit: Option<&Permit<'_>>,
    ) -> Result<(), IpcError> {
        if let Some(permit) = permit
            && !permit(&route.channel, route.kind)
        {
            return Err(IpcError::framework(
                FrameworkCode::Forbidden,
                format!(
                    "This caller has no permission for channel \"{}\"",
                    route.channel
                ),
            ));
        }
        self.authorized(caller, route)
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

    /// [`event`](Self::event) as text, for transports that send text: the
    /// envelope is not validated as UTF-8 again on its way.
    pub fn event_text<E: EventContract>(&self, payload: &E) -> Result<String, IpcError> {
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
}
