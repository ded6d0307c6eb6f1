//! What a handler may return: the traits that let one `invoke`/`send`
//! method take handlers returning the contract's error, an
//! [`IpcHandlerError`](crate::IpcHandlerError) or a [`HandlerFailure`].

use std::future::Future;

use crate::contract::{InvokeContract, NoError};
use crate::wire::HandlerFailure;

/// What an async invoke handler returns: a future of
/// `Result<C::Response, E>`, where `E` is the contract's error, an
/// [`IpcHandlerError`](crate::IpcHandlerError) or a [`HandlerFailure`] (so `?` works on both).
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
