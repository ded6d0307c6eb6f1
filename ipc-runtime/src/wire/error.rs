//! The error model: `IPCValidationError`, `IPCHandlerError` (typed
//! contract errors, handler errors, framework failures) and their wire
//! form, the `error` member of a failed reply.

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::Value;

use super::{MAX_ISSUES, VALIDATION_ERROR_CODE};
use crate::contract::ContractError;

pub use ipc_meta::FrameworkCode;

/// An `IPCHandlerError`: a typed contract error, an error a handler built,
/// or a framework failure.
#[derive(Debug, Clone, PartialEq)]
pub struct IpcHandlerError {
    pub code: Cow<'static, str>,
    pub message: String,
    pub status_code: Option<u16>,
    /// Boxed to keep the error small; build it with
    /// [`with_details`](Self::with_details).
    pub details: Option<Box<Value>>,
}

impl IpcHandlerError {
    /// An error with `code` and `message`, without status code or details.
    pub fn new(code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        IpcHandlerError {
            code: code.into(),
            message: message.into(),
            status_code: None,
            details: None,
        }
    }

    /// Sets the `statusCode`.
    #[must_use]
    pub fn with_status(mut self, status_code: u16) -> Self {
        self.status_code = Some(status_code);
        self
    }

    /// Sets the `details`.
    #[must_use]
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(Box::new(details));
        self
    }

    /// A framework failure, with its fixed code and status code.
    pub fn framework(code: FrameworkCode, message: impl Into<String>) -> Self {
        IpcHandlerError::new(code.code(), message).with_status(code.status_code())
    }

    /// `IPC_FORBIDDEN` (403), for handlers that check permissions themselves.
    pub fn forbidden(message: impl Into<String>) -> Self {
        IpcHandlerError::framework(FrameworkCode::Forbidden, message)
    }

    /// `INTERNAL_ERROR` (500) with a generic message: nothing about the
    /// failure reaches the renderer.
    pub fn internal() -> Self {
        IpcHandlerError::framework(FrameworkCode::Internal, "Internal error")
    }

    /// The framework code, when this is a framework failure.
    pub fn framework_code(&self) -> Option<FrameworkCode> {
        FrameworkCode::from_code(&self.code)
    }

    /// The wire form of a typed contract error: `code` and `details` from
    /// its `{"code", "details"}` serialization, `message` and `statusCode`
    /// from [`ContractError`].
    pub fn from_contract_error<E: ContractError>(error: &E) -> Result<Self, serde_json::Error> {
        Ok(Self::with_encoding(error, serde_json::to_value(error)?))
    }
}

impl IpcHandlerError {
    /// The wire error of a typed contract error that was already encoded
    /// (`encoded` is its `{"code", "details"}` serialization).
    pub(crate) fn from_encoded_contract_error<E: ContractError>(
        error: &E,
        encoded: &[u8],
    ) -> Result<Self, serde_json::Error> {
        Ok(Self::with_encoding(error, serde_json::from_slice(encoded)?))
    }

    /// `error`'s code, message and status, and the `details` of its
    /// serialization `encoded`.
    fn with_encoding<E: ContractError>(error: &E, encoded: Value) -> Self {
        let details = match encoded {
            Value::Object(mut object) => object.remove("details").map(Box::new),
            _ => None,
        };
        IpcHandlerError {
            code: Cow::Borrowed(error.code()),
            message: error.message(),
            status_code: error.status_code(),
            details,
        }
    }
}

impl Serialize for IpcHandlerError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let len = 3 + usize::from(self.status_code.is_some()) + usize::from(self.details.is_some());
        let mut map = serializer.serialize_map(Some(len))?;
        map.serialize_entry("name", "IPCHandlerError")?;
        map.serialize_entry("code", &self.code)?;
        map.serialize_entry("message", &self.message)?;
        if let Some(status_code) = self.status_code {
            map.serialize_entry("statusCode", &status_code)?;
        }
        if let Some(details) = &self.details {
            map.serialize_entry("details", details)?;
        }
        map.end()
    }
}

impl fmt::Display for IpcHandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for IpcHandlerError {}

/// Which data failed validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ValidationField {
    /// Data the renderer sent (a request payload).
    Request,
    /// Data main produced: a response, a typed error's details or an event
    /// payload.
    Response,
}

/// One step of an issue's path: a property name or an array index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum PathSegment {
    Key(String),
    Index(usize),
}

impl From<&str> for PathSegment {
    fn from(value: &str) -> Self {
        PathSegment::Key(value.to_owned())
    }
}

impl From<usize> for PathSegment {
    fn from(value: usize) -> Self {
        PathSegment::Index(value)
    }
}

/// One reason a payload is invalid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidationIssue {
    /// Where, from the payload's root.
    pub path: Vec<PathSegment>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received: Option<String>,
}

impl ValidationIssue {
    pub fn new(path: Vec<PathSegment>, message: impl Into<String>) -> Self {
        ValidationIssue {
            path,
            message: message.into(),
            expected: None,
            received: None,
        }
    }

    #[must_use]
    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    #[must_use]
    pub fn received(mut self, received: impl Into<String>) -> Self {
        self.received = Some(received.into());
        self
    }
}

/// An `IPCValidationError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpcValidationError {
    pub field: ValidationField,
    pub message: String,
    /// At most [`MAX_ISSUES`].
    pub issues: Vec<ValidationIssue>,
}

impl IpcValidationError {
    /// An error listing `issues` (cut to [`MAX_ISSUES`]); `more` tells that
    /// the validator found further issues that are not listed.
    pub fn new(field: ValidationField, mut issues: Vec<ValidationIssue>, more: bool) -> Self {
        let more = more || issues.len() > MAX_ISSUES;
        issues.truncate(MAX_ISSUES);
        let what = match field {
            ValidationField::Request => "Request",
            ValidationField::Response => "Response",
        };
        let message = if more {
            format!(
                "{what} validation failed: more than {MAX_ISSUES} issues, the first {MAX_ISSUES} are listed"
            )
        } else if issues.len() == 1 {
            format!("{what} validation failed: 1 issue")
        } else {
            format!("{what} validation failed: {} issues", issues.len())
        };
        IpcValidationError {
            field,
            message,
            issues,
        }
    }
}

impl Serialize for IpcValidationError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(5))?;
        map.serialize_entry("name", "IPCValidationError")?;
        map.serialize_entry("code", VALIDATION_ERROR_CODE)?;
        map.serialize_entry("message", &self.message)?;
        map.serialize_entry("field", &self.field)?;
        map.serialize_entry("issues", &self.issues)?;
        map.end()
    }
}

impl fmt::Display for IpcValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        for issue in &self.issues {
            write!(f, "\n  - ")?;
            for segment in &issue.path {
                match segment {
                    PathSegment::Key(key) => write!(f, "/{key}")?,
                    PathSegment::Index(index) => write!(f, "/{index}")?,
                }
            }
            write!(f, ": {}", issue.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for IpcValidationError {}

/// The `error` of a failed reply.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum IpcError {
    Validation(IpcValidationError),
    Handler(IpcHandlerError),
}

impl IpcError {
    /// A framework failure.
    pub fn framework(code: FrameworkCode, message: impl Into<String>) -> Self {
        IpcError::Handler(IpcHandlerError::framework(code, message))
    }

    /// The wire `code`.
    pub fn code(&self) -> &str {
        match self {
            IpcError::Validation(_) => VALIDATION_ERROR_CODE,
            IpcError::Handler(error) => &error.code,
        }
    }

    /// The framework code, when this is a framework failure.
    pub fn framework_code(&self) -> Option<FrameworkCode> {
        match self {
            IpcError::Validation(_) => None,
            IpcError::Handler(error) => error.framework_code(),
        }
    }
}

impl fmt::Display for IpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IpcError::Validation(error) => error.fmt(f),
            IpcError::Handler(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for IpcError {}

impl From<IpcValidationError> for IpcError {
    fn from(value: IpcValidationError) -> Self {
        IpcError::Validation(value)
    }
}

impl From<IpcHandlerError> for IpcError {
    fn from(value: IpcHandlerError) -> Self {
        IpcError::Handler(value)
    }
}

/// How a handler fails: with the contract's typed error or with an
/// [`IpcHandlerError`]. Both convert with `?`.
#[derive(Debug, Clone, PartialEq)]
pub enum HandlerFailure<E> {
    Contract(E),
    Handler(IpcHandlerError),
}

impl<E: ContractError> From<E> for HandlerFailure<E> {
    fn from(value: E) -> Self {
        HandlerFailure::Contract(value)
    }
}

impl<E> From<IpcHandlerError> for HandlerFailure<E> {
    fn from(value: IpcHandlerError) -> Self {
        HandlerFailure::Handler(value)
    }
}

impl<E: ContractError + fmt::Debug> fmt::Display for HandlerFailure<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandlerFailure::Contract(error) => write!(f, "{}: {}", error.code(), error.message()),
            HandlerFailure::Handler(error) => error.fmt(f),
        }
    }
}

impl<E: ContractError + fmt::Debug> std::error::Error for HandlerFailure<E> {}
