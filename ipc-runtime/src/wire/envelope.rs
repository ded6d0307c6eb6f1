//! The envelopes: a request's parse and checks, and the reply and event
//! envelopes written around already serialized data.

use std::borrow::Cow;
use std::fmt;
use std::ops::ControlFlow;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use super::error::{FrameworkCode, IpcError, IpcHandlerError};
use super::{MAX_REQUEST_ID_LENGTH, PROTOCOL_VERSION, clip, json};
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
/// A request envelope whose fields were found, not yet checked. The
/// payload is `P`: its raw text, or a value decoded in the envelope's pass.
#[derive(Debug)]
struct RawEnvelope<'a, P> {
    v: Option<&'a RawValue>,
    id: Option<&'a RawValue>,
    kind: Option<&'a RawValue>,
    channel: Option<&'a RawValue>,
    payload: Option<P>,
    /// The first key that is not a field of the envelope, or a repeated one.
    problem: Option<String>,
}

/// How an envelope's payload is read while the envelope is parsed.
pub(crate) trait PayloadSeed<'de> {
    type Value;

    fn read<D: Deserializer<'de>>(&self, deserializer: D) -> Result<Self::Value, D::Error>;
}

impl<'de, S: PayloadSeed<'de>> PayloadSeed<'de> for &S {
    type Value = S::Value;

    fn read<D: Deserializer<'de>>(&self, deserializer: D) -> Result<Self::Value, D::Error> {
        (**self).read(deserializer)
    }
}

/// The payload's raw text, decoded later.
struct RawPayload;

impl<'de> PayloadSeed<'de> for RawPayload {
    type Value = &'de RawValue;

    fn read<D: Deserializer<'de>>(&self, deserializer: D) -> Result<Self::Value, D::Error> {
        <&'de RawValue>::deserialize(deserializer)
    }
}

/// A [`PayloadSeed`] as serde's seed.
struct Seeded<'s, S>(&'s S);

impl<'de, S: PayloadSeed<'de>> de::DeserializeSeed<'de> for Seeded<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.read(deserializer)
    }
}

/// The envelope's object, its payload read by `S`.
struct EnvelopeSeed<S>(S);

impl<'de, S: PayloadSeed<'de>> de::DeserializeSeed<'de> for EnvelopeSeed<S> {
    type Value = RawEnvelope<'de, S::Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, S: PayloadSeed<'de>> Visitor<'de> for EnvelopeSeed<S> {
    type Value = RawEnvelope<'de, S::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a request envelope object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut envelope = RawEnvelope {
            v: None,
            id: None,
            kind: None,
            channel: None,
            payload: None,
            problem: None,
        };
        while let Some(key) = map.next_key_seed(EnvelopeKeySeed {
            describe_unknown: envelope.problem.is_none(),
        })? {
            let (slot, name) = match key {
                EnvelopeKey::V => (&mut envelope.v, "v"),
                EnvelopeKey::Id => (&mut envelope.id, "id"),
                EnvelopeKey::Kind => (&mut envelope.kind, "kind"),
                EnvelopeKey::Channel => (&mut envelope.channel, "channel"),
                EnvelopeKey::Payload => {
                    let payload = map.next_value_seed(Seeded(&self.0))?;
                    if envelope.payload.replace(payload).is_some() && envelope.problem.is_none() {
                        envelope.problem = Some("duplicate envelope field `payload`".to_owned());
                    }
                    continue;
                }
                EnvelopeKey::Unknown(problem) => {
                    envelope.problem = envelope.problem.or(problem);
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            let value: &'de RawValue = map.next_value()?;
            if slot.replace(value).is_some() && envelope.problem.is_none() {
                envelope.problem = Some(format!("duplicate envelope field `{name}`"));
            }
        }
        Ok(envelope)
    }
}

/// A key of the envelope object, told apart without copying it (serde
/// reads a `Cow<str>` key as an owned `String`, one allocation a field).
enum EnvelopeKey {
    V,
    Id,
    Kind,
    Channel,
    Payload,
    /// Not a field of the envelope: the problem it makes, when asked for.
    Unknown(Option<String>),
}

/// Reads an [`EnvelopeKey`]; an unknown one is described only for the
/// first problem of the envelope, the one reported.
struct EnvelopeKeySeed {
    describe_unknown: bool,
}

impl<'de> de::DeserializeSeed<'de> for EnvelopeKeySeed {
    type Value = EnvelopeKey;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<EnvelopeKey, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for EnvelopeKeySeed {
    type Value = EnvelopeKey;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an envelope field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<EnvelopeKey, E> {
        Ok(match key {
            "v" => EnvelopeKey::V,
            "id" => EnvelopeKey::Id,
            "kind" => EnvelopeKey::Kind,
            "channel" => EnvelopeKey::Channel,
            "payload" => EnvelopeKey::Payload,
            other => EnvelopeKey::Unknown(
                self.describe_unknown
                    .then(|| format!("unknown envelope field `{}`", clip(other, 64))),
            ),
        })
    }
}

/// A request whose envelope is valid.
#[derive(Debug)]
pub(crate) struct Request<P> {
    /// Always present for invokes; a send may have none.
    pub id: Option<RequestId>,
    pub kind: ContractKind,
    pub channel: String,
    /// Its raw text ([`parse_input`]), or the value decoded in the
    /// envelope's pass ([`parse_in_pass`]).
    pub payload: P,
}

impl<P> Request<P> {
    pub(crate) fn map_payload<Q>(self, f: impl FnOnce(P) -> Q) -> Request<Q> {
        Request {
            id: self.id,
            kind: self.kind,
            channel: self.channel,
            payload: f(self.payload),
        }
    }
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
    Text(&'a str),
    /// Bytes parsed in two passes whatever they hold: the reference the
    /// fuzz targets and tests compare the one-pass parse with.
    #[cfg(feature = "fuzzing")]
    TwoPass(&'a [u8]),
}

impl<'a> Input<'a> {
    pub(crate) fn as_bytes(self) -> &'a [u8] {
        match self {
            Input::Bytes(bytes) => bytes,
            Input::Text(text) => text.as_bytes(),
            #[cfg(feature = "fuzzing")]
            Input::TwoPass(bytes) => bytes,
        }
    }

    /// The input as text, when it is UTF-8 and may be parsed in one pass.
    pub(crate) fn text(self) -> Option<&'a str> {
        match self {
            Input::Bytes(bytes) => std::str::from_utf8(bytes).ok(),
            Input::Text(text) => Some(text),
            #[cfg(feature = "fuzzing")]
            Input::TwoPass(_) => None,
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
pub(crate) fn parse_input(input: Input<'_>) -> Result<Request<&RawValue>, Refused> {
    checked(match input {
        Input::Text(text) => parse_with(serde_json::Deserializer::from_str(text), RawPayload),
        Input::Bytes(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => parse_with(serde_json::Deserializer::from_str(text), RawPayload),
            Err(_) => parse_with(serde_json::Deserializer::from_slice(bytes), RawPayload),
        },
        #[cfg(feature = "fuzzing")]
        Input::TwoPass(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => parse_with(serde_json::Deserializer::from_str(text), RawPayload),
            Err(_) => parse_with(serde_json::Deserializer::from_slice(bytes), RawPayload),
        },
    })
}

/// Parses and checks a request envelope whose payload `seed` decodes in
/// the same pass (docs/adr/0044-single-pass-envelope.md). `None` when the
/// text or the payload is refused for any reason, the seed's own refusals
/// included: the caller then takes [`parse_input`], whose answer is the
/// exact one. A request this accepts, [`parse_input`] accepts with the
/// same fields.
///
/// Read by the reader of `wire::json` when it reads as serde_json does
/// (docs/adr/0061-own-json-reader.md), and again by serde_json when that
/// reader declines.
pub(crate) fn parse_in_pass<'de, S: PayloadSeed<'de>>(
    text: &'de str,
    seed: S,
) -> Option<Request<S::Value>> {
    if json::reads_as_serde_json() {
        let mut reader = json::TextReader::new(text);
        if let Ok(envelope) = de::DeserializeSeed::deserialize(EnvelopeSeed(&seed), &mut reader)
            && reader.end().is_ok()
        {
            return checked(Ok(envelope)).ok();
        }
    }
    checked(parse_with(serde_json::Deserializer::from_str(text), seed)).ok()
}

fn parse_with<'de, R: serde_json::de::Read<'de>, S: PayloadSeed<'de>>(
    mut deserializer: serde_json::Deserializer<R>,
    seed: S,
) -> Result<RawEnvelope<'de, S::Value>, serde_json::Error> {
    let envelope = de::DeserializeSeed::deserialize(EnvelopeSeed(seed), &mut deserializer)?;
    deserializer.end()?;
    Ok(envelope)
}

/// The checks of an envelope serde_json has read.
fn checked<P>(
    parsed: Result<RawEnvelope<'_, P>, serde_json::Error>,
) -> Result<Request<P>, Refused> {
    let refuse = |id: Option<RequestId>, code: FrameworkCode, message: String| Refused {
        id,
        error: IpcHandlerError::framework(code, message),
    };
    let envelope = match parsed {
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
            let Some(id) = request_id(raw_id) else {
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
    if version(v) != Some(PROTOCOL_VERSION) {
        return Err(refuse(
            id.clone(),
            FrameworkCode::UnsupportedVersion,
            format!(
                "Protocol version {} is not supported; this side speaks version {PROTOCOL_VERSION}",
                clip(v.get(), 64)
            ),
        ));
    }
    let kind = match envelope.kind.and_then(json_string).as_deref() {
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
    let Some(channel) = envelope.channel.and_then(json_string).map(Cow::into_owned) else {
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

// The envelope's scalar fields, read from their raw JSON. The forms
// clients write (a small integer, a string without escapes) are read
// directly; anything else as serde_json reads it, whose answer the direct
// reads give too (tested below). The raw text is JSON already: digits
// alone are an integer without leading zeros, and quotes around text
// without a backslash are a string without escapes.

/// The longest run of digits that is always a safe integer.
const SAFE_DIGITS: usize = 15;

/// Digits alone, short enough to be a safe integer.
fn small_integer(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > SAFE_DIGITS || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The request id of a raw `id`; `None` when it breaks the rules.
fn request_id(raw: &RawValue) -> Option<RequestId> {
    let text = raw.get();
    if let Some(number) = small_integer(text) {
        return i64::try_from(number).ok().map(RequestId::Number);
    }
    if let Some(inner) = unescaped_string(text) {
        return (inner.len() <= MAX_REQUEST_ID_LENGTH).then(|| RequestId::String(inner.to_owned()));
    }
    serde_json::from_str::<Value>(text)
        .ok()
        .as_ref()
        .and_then(RequestId::from_json)
}

/// The protocol version of a raw `v`, when it is an unsigned integer.
fn version(raw: &RawValue) -> Option<u64> {
    small_integer(raw.get()).or_else(|| serde_json::from_str::<u64>(raw.get()).ok())
}

/// A raw JSON string's text, borrowed when it has no escapes.
fn json_string(raw: &RawValue) -> Option<Cow<'_, str>> {
    match unescaped_string(raw.get()) {
        Some(inner) => Some(Cow::Borrowed(inner)),
        None => serde_json::from_str::<String>(raw.get())
            .ok()
            .map(Cow::Owned),
    }
}

/// The text between the quotes of a JSON string written without escapes.
fn unescaped_string(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains('\\')).then_some(inner)
}

/// How far into an oversized request [`leading_id`] looks.
const LEADING_ID_WINDOW: usize = 512;

/// The id of a request too large to parse, when it is among the scalar
/// members the request starts with (clients write `{"v":1,"id":7,..`), so
/// that its caller is answered rather than left to time out. Reads at most
/// [`LEADING_ID_WINDOW`] bytes and stops at the first nested value, escape
/// or anything unexpected; an id given twice there is not trusted.
pub(crate) fn leading_id(bytes: &[u8]) -> Option<RequestId> {
    let value = leading_member(bytes, b"id")?;
    RequestId::from_json(&serde_json::from_slice::<Value>(value).ok()?)
}

/// The channel of a request, when it is among the scalar members the
/// request starts with (clients write `..,"channel":"notes:get","payload":`)
/// and written without escapes: the route whose decoder reads the payload
/// in the envelope's pass ([`parse_in_pass`]). Reads as [`leading_id`]
/// does; a channel given twice there is not trusted.
pub(crate) fn leading_channel(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let inner = match client_channel(bytes) {
        Some(channel) => channel,
        None => {
            // A string, its quotes included; the members' scan takes no escapes.
            let value = leading_member(bytes, b"channel")?;
            value.strip_prefix(b"\"")?.strip_suffix(b"\"")?
        }
    };
    // The quotes are ASCII, so the range between them is on character
    // boundaries of `text`.
    let start = inner.as_ptr() as usize - bytes.as_ptr() as usize;
    text.get(start..start + inner.len())
}

/// The channel of a request laid out exactly as the generated clients
/// write one (`{"v":1,"id":7,"kind":"invoke","channel":"a:b","payload":{`),
/// found without the general scan, which costs several times more and
/// runs before every request. Whenever it finds a channel, the scan finds
/// the same (`client_layout_agrees_with_the_scan`): four scalar members
/// with no key twice, then a nested payload, where the scan stops.
fn client_channel(bytes: &[u8]) -> Option<&[u8]> {
    let rest = bytes.strip_prefix(b"{\"v\":1,\"id\":")?;
    let digits = rest.iter().take_while(|byte| byte.is_ascii_digit()).count();
    let rest = rest[digits..].strip_prefix(b",\"kind\":\"")?;
    let rest = rest
        .strip_prefix(b"invoke\",\"channel\":\"")
        .or_else(|| rest.strip_prefix(b"send\",\"channel\":\""))?;
    let length = rest.iter().position(|&byte| matches!(byte, b'"' | b'\\'))?;
    let after = rest[length..].strip_prefix(b"\",\"payload\":")?;
    // The scan reads no further than its window, and stops at a nested value.
    let within = bytes.len() - after.len() < LEADING_ID_WINDOW;
    (digits > 0 && within && matches!(after.first(), Some(b'{' | b'['))).then(|| &rest[..length])
}

/// The value of member `key` among the scalar members an object starts
/// with ([`leading_members`]), unless `key` is given twice there.
fn leading_member<'a>(bytes: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let mut found = None;
    let mut twice = false;
    leading_members(bytes, |name, value| {
        if name == key {
            if found.is_some() {
                twice = true;
                return ControlFlow::Break(());
            }
            found = Some(value);
        }
        ControlFlow::Continue(())
    });
    found.filter(|_| !twice)
}

/// Calls `each` with the key (without its quotes) and the value of each of
/// the scalar members an object starts with, within its first
/// [`LEADING_ID_WINDOW`] bytes, until `each` breaks. Stops at the first
/// nested value, a string with an escape or anything unexpected.
fn leading_members<'a>(
    bytes: &'a [u8],
    mut each: impl FnMut(&'a [u8], &'a [u8]) -> ControlFlow<()>,
) {
    let mut scan = Scan {
        window: &bytes[..bytes.len().min(LEADING_ID_WINDOW)],
        at: 0,
    };
    scan.skip_space();
    if !scan.eat(b'{') {
        return;
    }
    // Each member: `"key"`, `:`, a scalar, then `,` or the end of the scan.
    loop {
        scan.skip_space();
        let Some(key) = scan.string() else { return };
        scan.skip_space();
        if !scan.eat(b':') {
            return;
        }
        scan.skip_space();
        let Some(value) = scan.scalar() else { return };
        if each(key, value).is_break() {
            return;
        }
        scan.skip_space();
        if !scan.eat(b',') {
            return;
        }
    }
}

/// The scan of [`leading_members`]: a position in its window. Run before
/// every request is parsed, so written for few instructions a byte.
struct Scan<'a> {
    window: &'a [u8],
    at: usize,
}

impl<'a> Scan<'a> {
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.window.get(self.at) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        let eaten = self.window.get(self.at) == Some(&byte);
        self.at += usize::from(eaten);
        eaten
    }

    /// A string without escapes: its contents, the scan past its quote.
    fn string(&mut self) -> Option<&'a [u8]> {
        let rest = self.window.get(self.at..)?.strip_prefix(b"\"")?;
        let length = rest.iter().position(|&byte| matches!(byte, b'"' | b'\\'))?;
        if rest[length] != b'"' {
            return None;
        }
        self.at += length + 2;
        Some(&rest[..length])
    }

    /// A string (its quotes included), number, `true`, `false` or `null`.
    fn scalar(&mut self) -> Option<&'a [u8]> {
        let start = self.at;
        match self.window.get(start)? {
            b'"' => {
                self.string()?;
            }
            b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                let length = self.window[start..]
                    .iter()
                    .position(|&byte| !matches!(byte, b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'+' | b'-' | b'.'))
                    // A scalar cut by the window could read as another number.
                    ?;
                self.at = start + length;
            }
            _ => return None,
        }
        Some(&self.window[start..self.at])
    }
}

/// The start of `{"id": .., "ok": true, "data": ..}`, up to where its data
/// goes; the caller writes the data, then `}`.
pub(crate) fn begin_success(out: &mut String, id: &RequestId) {
    out.push_str("{\"id\":");
    // Written in place: serde_json would write the id to a `String` first.
    if !super::json::write_into(out, id) {
        write_json(out, id);
    }
    out.push_str(",\"ok\":true,\"data\":");
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

    /// Raw JSON values of the kinds clients put in the scalar fields, and
    /// the kinds that look like them.
    fn raw_scalar() -> impl Strategy<Value = String> {
        prop_oneof![
            (0u64..1_000).prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            (0u64..=16).prop_map(|digits| "9".repeat(usize::try_from(digits).unwrap_or(0).max(1))),
            prop::sample::select(vec![
                "0",
                "-0",
                "1",
                "1.0",
                "1e0",
                "-1",
                "9007199254740991",
                "9007199254740992",
                "999999999999999",
                "9999999999999999",
                "\"\"",
                "\"invoke\"",
                "\"send\"",
                "\"\\u0069nvoke\"",
                "\"in\\\"voke\"",
                "null",
                "true",
                "[]",
                "{}",
                "\"notes:get\"",
            ])
            .prop_map(str::to_owned),
            "[a-z:\u{e9}\\\\\"]{0,300}"
                .prop_map(|text| serde_json::to_string(&text).unwrap_or_default()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]
        // The envelope's scalar fields read directly mean what serde_json
        // reads them as.
        #[test]
        fn scalar_fields_are_read_as_serde_json_reads_them(text in raw_scalar()) {
            let Ok(raw) = serde_json::from_str::<&RawValue>(&text) else {
                return Err(TestCaseError::reject("not JSON"));
            };
            prop_assert_eq!(
                request_id(raw),
                serde_json::from_str::<Value>(&text).ok().as_ref().and_then(RequestId::from_json)
            );
            prop_assert_eq!(version(raw), serde_json::from_str::<u64>(&text).ok());
            prop_assert_eq!(
                json_string(raw).map(Cow::into_owned),
                serde_json::from_str::<String>(&text).ok()
            );
        }
    }

    proptest! {
        // Hostile text: never a panic, and a channel found is the one the
        // envelope's parse reads, when that parse succeeds.
        #[test]
        fn leading_channel_reads_any_text(parts in proptest::collection::vec(envelope_part(), 0..12)) {
            let text = parts.concat();
            if let Some(channel) = leading_channel(&text)
                && let Ok(request) = parse_input(Input::Text(&text))
            {
                prop_assert_eq!(channel, request.channel.as_str());
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]
        // The clients' layout, found without the scan, is found by it too,
        // as the same channel; and what it refuses, the scan decides.
        #[test]
        fn client_layout_agrees_with_the_scan(
            v in prop::sample::select(vec!["1", "1", "1", "12", "1.0", "\"1\""]),
            id in prop::sample::select(vec!["7", "7", "0012", "9007199254740993", "", "-3", "1e3", "\"x\""]),
            kind in prop::sample::select(vec!["invoke", "send", "invoke", "event", "Invoke"]),
            channel in prop_oneof![4 => "[a-z:]{0,12}", 1 => "[a-z:\\\\\"\u{e9}]{0,12}"],
            // Short, or about as long as the scan's window.
            filler in prop_oneof![0usize..8, 440usize..520],
            payload in prop::sample::select(vec!["{}", "[1]", "{\"channel\":\"z\"}", "1", "\"x\"", "null", " {}"]),
            tail in prop::sample::select(vec!["}", ",\"channel\":\"a:b\"}", ",\"v\":1}", ""]),
        ) {
            let channel = format!("{channel}{}", "c".repeat(filler));
            let text = format!(r#"{{"v":{v},"id":{id},"kind":"{kind}","channel":"{channel}","payload":{payload}{tail}"#);
            let scanned = leading_member(text.as_bytes(), b"channel")
                .and_then(|value| value.strip_prefix(b"\"")?.strip_suffix(b"\""));
            if let Some(found) = client_channel(text.as_bytes()) {
                prop_assert_eq!(Some(found), scanned, "{}", text);
            }
            prop_assert_eq!(leading_channel(&text).map(str::as_bytes), scanned, "{}", text);
        }
    }

    #[test]
    fn the_client_layout_is_read_without_the_scan() {
        let text = r#"{"v":1,"id":7,"kind":"invoke","channel":"a:b","payload":{"x":1}}"#;
        assert_eq!(client_channel(text.as_bytes()), Some(&b"a:b"[..]));
        let send = r#"{"v":1,"id":12,"kind":"send","channel":"a:b","payload":[]}"#;
        assert_eq!(client_channel(send.as_bytes()), Some(&b"a:b"[..]));
        // A scalar payload could be followed by anything: left to the scan.
        let scalar = r#"{"v":1,"id":7,"kind":"invoke","channel":"a:b","payload":1,"channel":"c"}"#;
        assert_eq!(client_channel(scalar.as_bytes()), None);
        assert_eq!(leading_channel(scalar), None);
    }

    #[test]
    fn leading_channel_is_found_before_the_payload() {
        let found = |text: &str| leading_channel(text).map(str::to_owned);
        let some = |channel: &str| Some(channel.to_owned());
        assert_eq!(
            found(r#"{"v":1,"id":7,"kind":"invoke","channel":"a:b","payload":{"x":1}}"#),
            some("a:b")
        );
        assert_eq!(found(r#" { "channel" : "a:b" , "payload":1}"#), some("a:b"));
        assert_eq!(
            found("{\"v\":1,\"channel\":\"caf\u{e9}:b\",\"payload\":{}}"),
            some("caf\u{e9}:b")
        );
        // After a nested value, escaped, repeated, not a string: not found.
        assert_eq!(found(r#"{"payload":{},"channel":"a:b"}"#), None);
        assert_eq!(found(r#"{"channel":"a\u003ab","payload":{}}"#), None);
        assert_eq!(
            found(r#"{"channel":"a:b","channel":"a:b","payload":{}}"#),
            None
        );
        assert_eq!(found(r#"{"channel":7,"payload":{}}"#), None);
        assert_eq!(found(r#"["channel","a:b"]"#), None);
        // Beyond the window: not found.
        let long = format!(
            r#"{{"x":"{}","channel":"a:b","payload":{{}}}}"#,
            "y".repeat(600)
        );
        assert_eq!(found(&long), None);
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
            parse_with(serde_json::Deserializer::from_str(text), RawPayload)
        } else {
            parse_with(
                serde_json::Deserializer::from_slice(text.as_bytes()),
                RawPayload,
            )
        };
        format!("{:?}", checked(parsed))
    }
}
