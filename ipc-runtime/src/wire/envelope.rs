//! The envelopes: a request's parse and checks, and the reply and event
//! envelopes written around already serialized data.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use super::error::{FrameworkCode, IpcError, IpcHandlerError};
use super::{MAX_REQUEST_ID_LENGTH, PROTOCOL_VERSION, clip};
use crate::contract::ContractKind;
use ipc_meta::protocol::MAX_SAFE_INTEGER;

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

/// A request as a transport received it: bytes, or text already known to
/// be UTF-8 (a WebSocket text frame, which tungstenite validated).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Input<'a> {
    Bytes(&'a [u8]),
    // Only the WebSocket transport receives text.
    #[cfg_attr(not(feature = "ws"), allow(dead_code))]
    Text(&'a str),
}

impl<'a> Input<'a> {
    pub(crate) fn as_bytes(self) -> &'a [u8] {
        match self {
            Input::Bytes(bytes) => bytes,
            Input::Text(text) => text.as_bytes(),
        }
    }
}

/// Parses and checks a request envelope. `input` must already be within
/// the size limit. The payload is only skipped here (serde_json skips a
/// value without recursing); its depth is checked when it is decoded.
///
/// Text is parsed as a `str`, so that
/// serde_json does not validate its UTF-8 again (for the payload's raw
/// value, that is the whole payload); bytes are validated once, up front,
/// and parsed as text when they are UTF-8. Bytes that are not UTF-8 are
/// parsed as bytes, which refuses them exactly as before.
pub(crate) fn parse_input(input: Input<'_>) -> Result<Request<'_>, Refused> {
    checked(match input {
        Input::Text(text) => serde_json::from_str(text),
        Input::Bytes(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => serde_json::from_str(text),
            Err(_) => serde_json::from_slice(bytes),
        },
    })
}

/// The checks of an envelope serde_json has read.
fn checked(parsed: Result<RawEnvelope<'_>, serde_json::Error>) -> Result<Request<'_>, Refused> {
    let refuse = |id: Option<RequestId>, code: FrameworkCode, message: String| Refused {
        id,
        error: IpcHandlerError::framework(code, message),
    };
    let envelope: RawEnvelope<'_> = match parsed {
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
pub(crate) fn encode_success(id: &RequestId, data: &str) -> String {
    let mut out = String::with_capacity(data.len() + 32);
    out.push_str("{\"id\":");
    write_json(&mut out, id);
    out.push_str(",\"ok\":true,\"data\":");
    out.push_str(data);
    out.push('}');
    out
}

/// `{"id": .., "ok": false, "error": ..}`; `id` is `null` when the request's
/// id could not be recovered.
pub fn encode_failure(id: Option<&RequestId>, error: &IpcError) -> Vec<u8> {
    encode_failure_text(id, error).into_bytes()
}

/// [`encode_failure`] as text.
pub(crate) fn encode_failure_text(id: Option<&RequestId>, error: &IpcError) -> String {
    let mut out = String::with_capacity(128);
    out.push_str("{\"id\":");
    match id {
        Some(id) => write_json(&mut out, id),
        None => out.push_str("null"),
    }
    out.push_str(",\"ok\":false,\"error\":");
    write_json(&mut out, error);
    out.push('}');
    out
}

/// `{"v": 1, "kind": "event", "channel": .., "payload": ..}` around an
/// already serialized payload.
pub(crate) fn encode_event(channel: &str, payload: &str) -> String {
    let mut out = String::with_capacity(payload.len() + channel.len() + 48);
    out.push_str("{\"v\":1,\"kind\":\"event\",\"channel\":");
    write_json(&mut out, channel);
    out.push_str(",\"payload\":");
    out.push_str(payload);
    out.push('}');
    out
}

fn write_json<T: Serialize + ?Sized>(out: &mut String, value: &T) {
    // Ids, channels and error shapes are plain data: strings, safe
    // integers, maps with string keys. Serializing them cannot fail; if it
    // ever did, `null` keeps the envelope valid JSON.
    match serde_json::to_string(value) {
        Ok(text) => out.push_str(&text),
        Err(_) => out.push_str("null"),
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

        // Text is parsed as a str to skip serde_json's second UTF-8 check;
        // that must not change what any UTF-8 request gets.
        #[test]
        fn text_and_bytes_are_parsed_alike(parts in proptest::collection::vec(envelope_part(), 0..12)) {
            let text = parts.concat();
            prop_assert_eq!(outcome(&text, true), outcome(&text, false));
        }
    }

    /// Pieces of envelopes, well formed or not.
    fn envelope_part() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("{".to_owned()),
            Just("}".to_owned()),
            Just(",".to_owned()),
            Just(":".to_owned()),
            Just(r#""v":1"#.to_owned()),
            Just(r#""id":7"#.to_owned()),
            Just(r#""kind":"invoke""#.to_owned()),
            Just(r#""channel":"a:b""#.to_owned()),
            Just(r#""payload":"#.to_owned()),
            Just(r#"{"text":"caf\u00e9\n"}"#.to_owned()),
            Just("[1,2.5,null]".to_owned()),
            any::<String>().prop_map(|text| serde_json::to_string(&text).unwrap_or_default()),
            "[ -~]{0,12}",
            any::<String>(),
        ]
    }

    /// The parse's result as text, from a str or from the bytes.
    fn outcome(text: &str, as_text: bool) -> String {
        let parsed = if as_text {
            serde_json::from_str(text)
        } else {
            serde_json::from_slice(text.as_bytes())
        };
        format!("{:?}", checked(parsed))
    }
}
