//! The wire protocol, version 1 (`docs/protocol.md`): request, reply and
//! event envelopes, and the error shapes the renderer receives.
//!
//! Errors are data in a reply, never exceptions. Their shapes are those of
//! `@number10/electron-ipc`: an `IPCValidationError` for a payload that does
//! not match its schema, an `IPCHandlerError` for everything else (typed
//! contract errors, handler errors and the framework failures listed in
//! [`FrameworkCode`]).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::contract::{ContractError, ContractKind};
use ipc_meta::protocol::MAX_SAFE_INTEGER;
pub use ipc_meta::protocol::PROTOCOL_VERSION;

/// The longest request id string, in bytes.
pub const MAX_REQUEST_ID_LENGTH: usize = 128;

/// The most issues one `IPCValidationError` lists.
pub const MAX_ISSUES: usize = 100;

pub use ipc_meta::protocol::VALIDATION_ERROR_CODE;

/// The id a client gave its request: a string of at most
/// [`MAX_REQUEST_ID_LENGTH`] bytes or a safe integer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum RequestId {
    Number(i64),
    String(String),
}

impl RequestId {
    /// Reads an id from its JSON form; `None` when it breaks the rules.
    pub fn from_json(value: &Value) -> Option<RequestId> {
        match value {
            Value::Number(number) => number
                .as_i64()
                .filter(|n| n.unsigned_abs() <= MAX_SAFE_INTEGER.unsigned_abs())
                .map(RequestId::Number),
            Value::String(text) if text.len() <= MAX_REQUEST_ID_LENGTH => {
                Some(RequestId::String(text.clone()))
            }
            _ => None,
        }
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestId::Number(number) => write!(f, "{number}"),
            RequestId::String(text) => write!(f, "{text:?}"),
        }
    }
}

impl From<i64> for RequestId {
    fn from(value: i64) -> Self {
        RequestId::Number(value)
    }
}

impl From<&str> for RequestId {
    fn from(value: &str) -> Self {
        RequestId::String(value.to_owned())
    }
}

impl From<String> for RequestId {
    fn from(value: String) -> Self {
        RequestId::String(value)
    }
}

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
        let details = match serde_json::to_value(error)? {
            Value::Object(mut object) => object.remove("details").map(Box::new),
            _ => None,
        };
        Ok(IpcHandlerError {
            code: Cow::Borrowed(error.code()),
            message: error.message(),
            status_code: error.status_code(),
            details,
        })
    }
}

impl IpcHandlerError {
    /// The wire error of a typed contract error that was already encoded
    /// (`encoded` is its `{"code", "details"}` serialization).
    pub(crate) fn from_encoded_contract_error<E: ContractError>(
        error: &E,
        encoded: &[u8],
    ) -> Result<Self, serde_json::Error> {
        let details = match serde_json::from_slice(encoded)? {
            Value::Object(mut object) => object.remove("details").map(Box::new),
            _ => None,
        };
        Ok(IpcHandlerError {
            code: Cow::Borrowed(error.code()),
            message: error.message(),
            status_code: error.status_code(),
            details,
        })
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

/// A request envelope whose fields were found, not yet checked.
#[derive(Debug, Default)]
struct RawEnvelope<'a> {
    v: Option<&'a RawValue>,
    id: Option<&'a RawValue>,
    kind: Option<&'a RawValue>,
    channel: Option<&'a RawValue>,
    payload: Option<&'a RawValue>,
    /// The first key that is not a field of the envelope, or a repeated one.
    problem: Option<String>,
}

impl<'de> Deserialize<'de> for RawEnvelope<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EnvelopeVisitor;

        impl<'de> Visitor<'de> for EnvelopeVisitor {
            type Value = RawEnvelope<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a request envelope object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut envelope = RawEnvelope::default();
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    let slot = match key.as_ref() {
                        "v" => &mut envelope.v,
                        "id" => &mut envelope.id,
                        "kind" => &mut envelope.kind,
                        "channel" => &mut envelope.channel,
                        "payload" => &mut envelope.payload,
                        other => {
                            if envelope.problem.is_none() {
                                envelope.problem =
                                    Some(format!("unknown envelope field `{}`", clip(other, 64)));
                            }
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    let value: &'de RawValue = map.next_value()?;
                    if slot.replace(value).is_some() && envelope.problem.is_none() {
                        envelope.problem = Some(format!("duplicate envelope field `{key}`"));
                    }
                }
                Ok(envelope)
            }
        }

        deserializer.deserialize_map(EnvelopeVisitor)
    }
}

/// `text` cut to at most `max` bytes (on a character boundary) with `...`
/// appended, so that echoing hostile input into a message stays bounded.
pub(crate) fn clip(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

/// A request whose envelope is valid.
#[derive(Debug)]
pub(crate) struct Request<'a> {
    /// Always present for invokes; a send may have none.
    pub id: Option<RequestId>,
    pub kind: ContractKind,
    pub channel: String,
    pub payload: &'a RawValue,
}

/// Why an envelope was refused, with the id when it could be recovered.
#[derive(Debug)]
pub(crate) struct Refused {
    pub id: Option<RequestId>,
    pub error: IpcHandlerError,
}

/// Parses and checks a request envelope. `bytes` must already be within
/// the size limit. The payload is only skipped here (serde_json skips a
/// value without recursing); its depth is checked when it is decoded.
pub(crate) fn parse_request(bytes: &[u8]) -> Result<Request<'_>, Refused> {
    let refuse = |id: Option<RequestId>, code: FrameworkCode, message: String| Refused {
        id,
        error: IpcHandlerError::framework(code, message),
    };
    let envelope: RawEnvelope<'_> = match serde_json::from_slice(bytes) {
        Ok(envelope) => envelope,
        Err(error) if error.is_data() => {
            return Err(refuse(
                None,
                FrameworkCode::MalformedRequest,
                "The request is not a JSON object".to_owned(),
            ));
        }
        Err(error) => {
            return Err(refuse(
                None,
                FrameworkCode::MalformedRequest,
                format!("The request is not valid JSON: {error}"),
            ));
        }
    };
    // A send may omit its id (it gets no reply on success); an invoke needs
    // one, checked once the kind is known.
    let id = match envelope.id {
        None => None,
        Some(raw_id) => {
            let id = serde_json::from_str::<Value>(raw_id.get())
                .ok()
                .as_ref()
                .and_then(RequestId::from_json);
            let Some(id) = id else {
                return Err(refuse(
                    None,
                    FrameworkCode::MalformedRequest,
                    format!(
                        "The request's `id` must be a string of at most {MAX_REQUEST_ID_LENGTH} bytes or a safe integer"
                    ),
                ));
            };
            Some(id)
        }
    };
    let malformed = |message: String| refuse(id.clone(), FrameworkCode::MalformedRequest, message);
    if let Some(problem) = envelope.problem {
        return Err(malformed(format!("The request has a {problem}")));
    }
    let Some(v) = envelope.v else {
        return Err(malformed("The request has no `v`".to_owned()));
    };
    if serde_json::from_str::<u64>(v.get()).ok() != Some(PROTOCOL_VERSION) {
        return Err(refuse(
            id.clone(),
            FrameworkCode::UnsupportedVersion,
            format!(
                "Protocol version {} is not supported; this side speaks version {PROTOCOL_VERSION}",
                clip(v.get(), 64)
            ),
        ));
    }
    let kind = match envelope
        .kind
        .and_then(|kind| serde_json::from_str::<String>(kind.get()).ok())
        .as_deref()
    {
        Some("invoke") => ContractKind::Invoke,
        Some("send") => ContractKind::Send,
        _ => {
            return Err(malformed(
                "The request's `kind` must be \"invoke\" or \"send\"".to_owned(),
            ));
        }
    };
    if kind == ContractKind::Invoke && id.is_none() {
        return Err(malformed("An invoke request needs an `id`".to_owned()));
    }
    let Some(channel) = envelope
        .channel
        .and_then(|channel| serde_json::from_str::<String>(channel.get()).ok())
    else {
        return Err(malformed(
            "The request's `channel` must be a string".to_owned(),
        ));
    };
    let Some(payload) = envelope.payload else {
        return Err(malformed("The request has no `payload`".to_owned()));
    };
    Ok(Request {
        id,
        kind,
        channel,
        payload,
    })
}

/// How far into an oversized request [`leading_id`] looks.
const LEADING_ID_WINDOW: usize = 512;

/// The id of a request too large to parse, when it is among the scalar
/// members the request starts with (clients write `{"v":1,"id":7,..`), so
/// that its caller is answered rather than left to time out. Reads at most
/// [`LEADING_ID_WINDOW`] bytes and stops at the first nested value, escape
/// or anything unexpected; an id given twice there is not trusted.
pub(crate) fn leading_id(bytes: &[u8]) -> Option<RequestId> {
    let window = &bytes[..bytes.len().min(LEADING_ID_WINDOW)];
    let mut at = 0;
    let skip_space = |at: &mut usize| {
        while window.get(*at).is_some_and(u8::is_ascii_whitespace) {
            *at += 1;
        }
    };
    // A string without escapes: its contents' range, `at` past its quote.
    let string = |at: &mut usize| -> Option<(usize, usize)> {
        if window.get(*at) != Some(&b'"') {
            return None;
        }
        let start = *at + 1;
        let length = window[start..]
            .iter()
            .position(|&byte| byte == b'"' || byte == b'\\')?;
        if window[start + length] != b'"' {
            return None;
        }
        *at = start + length + 1;
        Some((start, start + length))
    };
    skip_space(&mut at);
    if window.get(at) != Some(&b'{') {
        return None;
    }
    at += 1;
    let mut found: Option<Option<RequestId>> = None;
    // Each member: `"key"`, `:`, a scalar, then `,` or the end of the scan.
    while let Some((key_start, key_end)) = {
        skip_space(&mut at);
        string(&mut at)
    } {
        skip_space(&mut at);
        if window.get(at) != Some(&b':') {
            break;
        }
        at += 1;
        skip_space(&mut at);
        let value_start = at;
        match window.get(at) {
            Some(b'"') => {
                if string(&mut at).is_none() {
                    break;
                }
            }
            Some(b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => {
                while window
                    .get(at)
                    .is_some_and(|byte| byte.is_ascii_alphanumeric() || b"+-.".contains(byte))
                {
                    at += 1;
                }
                // A scalar cut by the window could read as another number.
                if at == window.len() {
                    break;
                }
            }
            _ => break,
        }
        if &window[key_start..key_end] == b"id" {
            if found.is_some() {
                return None;
            }
            let value = serde_json::from_slice::<Value>(&window[value_start..at]).ok();
            found = Some(value.as_ref().and_then(RequestId::from_json));
        }
        skip_space(&mut at);
        if window.get(at) != Some(&b',') {
            break;
        }
        at += 1;
    }
    found.flatten()
}

/// `{"id": .., "ok": true, "data": ..}` around already serialized data.
pub(crate) fn encode_success(id: &RequestId, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 32);
    out.extend_from_slice(b"{\"id\":");
    write_json(&mut out, id);
    out.extend_from_slice(b",\"ok\":true,\"data\":");
    out.extend_from_slice(data);
    out.push(b'}');
    out
}

/// `{"id": .., "ok": false, "error": ..}`; `id` is `null` when the request's
/// id could not be recovered.
pub fn encode_failure(id: Option<&RequestId>, error: &IpcError) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    out.extend_from_slice(b"{\"id\":");
    match id {
        Some(id) => write_json(&mut out, id),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"ok\":false,\"error\":");
    write_json(&mut out, error);
    out.push(b'}');
    out
}

/// `{"v": 1, "kind": "event", "channel": .., "payload": ..}` around an
/// already serialized payload.
pub(crate) fn encode_event(channel: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + channel.len() + 48);
    out.extend_from_slice(b"{\"v\":1,\"kind\":\"event\",\"channel\":");
    write_json(&mut out, channel);
    out.extend_from_slice(b",\"payload\":");
    out.extend_from_slice(payload);
    out.push(b'}');
    out
}

fn write_json<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    // Ids, channels and error shapes are plain data: strings, safe
    // integers, maps with string keys. Serializing them cannot fail; if it
    // ever did, `null` keeps the envelope valid JSON.
    match serde_json::to_vec(value) {
        Ok(bytes) => out.extend_from_slice(&bytes),
        Err(_) => out.extend_from_slice(b"null"),
    }
}

impl<'de> de::Deserialize<'de> for RequestId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        RequestId::from_json(&value).ok_or_else(|| {
            de::Error::custom(format!(
                "a request id is a string of at most {MAX_REQUEST_ID_LENGTH} bytes or a safe integer"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        // Hostile bytes: never a panic, and any id found is a valid one.
        #[test]
        fn leading_id_reads_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..700)) {
            if let Some(RequestId::String(text)) = leading_id(&bytes) {
                prop_assert!(text.len() <= MAX_REQUEST_ID_LENGTH);
            }
        }

        // What clients write: `v` and `id` first, then anything.
        #[test]
        fn leading_id_finds_a_client_id(id in -MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER, tail in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut bytes = format!(r#"{{"v":1,"id":{id},"kind":"invoke","#).into_bytes();
            bytes.extend_from_slice(&tail);
            prop_assert_eq!(leading_id(&bytes), Some(RequestId::Number(id)));
        }
    }
}
