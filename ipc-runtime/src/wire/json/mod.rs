//! The fast writer of outbound data: serde_json's compact JSON, byte for
//! byte, written straight into a `String`; and its reader of requests,
//! [`TextReader`] (docs/adr/0061-own-json-reader.md).
//!
//! Two things make it faster than `serde_json::to_vec` for replies and
//! events. Strings are scanned for the bytes JSON escapes 64 at a time
//! and copied in runs (serde_json looks each byte up in a table, one at a
//! time, which was a quarter of the WebSocket server's time for a reply of
//! 64 KB of text). And the output is a `String`, so a transport that needs
//! UTF-8 text gets it without validating the bytes again.
//!
//! It writes only what it is sure of: anything unusual (a non-finite
//! float, an integer outside JavaScript's safe range, a map key that is
//! not a string or an integer, serde_json's own `RawValue` and `Number`
//! tokens) makes it decline, and the caller serializes through serde_json
//! instead, which gives the exact output or error it always gave. The
//! tests compare its output with serde_json's.

use std::fmt;
use std::io;

use serde::Serialize;
use serde::ser::{self, SerializeMap, SerializeSeq, SerializeStruct};
use serde_json::ser::Formatter;

use ipc_meta::protocol::MAX_SAFE_INTEGER;

/// `value` as compact JSON, or `None` when it needs serde_json's own path.
#[cfg(test)]
pub(crate) fn to_string<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    let mut out = String::with_capacity(128);
    write_into(&mut out, value).then_some(out)
}

/// Appends `value` as compact JSON to `out`; `false`, with `out` as it
/// was, when it needs serde_json's own path.
pub(crate) fn write_into<T: Serialize + ?Sized>(out: &mut String, value: &T) -> bool {
    let start = out.len();
    let mut writer = Writer {
        out: std::mem::take(out),
    };
    let written = value.serialize(&mut writer).is_ok();
    *out = writer.out;
    if !written {
        out.truncate(start);
    }
    written
}

/// Why the writer stopped: serde_json must write this value.
#[derive(Debug)]
pub(crate) struct Declined;

impl fmt::Display for Declined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("left to serde_json")
    }
}

impl std::error::Error for Declined {}

impl ser::Error for Declined {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Declined
    }
}

struct Writer {
    out: String,
}

/// `text` as a JSON string, escaped as serde_json escapes it.
fn push_string(out: &mut String, text: &str) {
    // Room for the quotes, a few escapes and what usually follows.
    out.reserve(text.len() + text.len() / 16 + 16);
    out.push('"');
    let bytes = text.as_bytes();
    let mut start = 0;
    for at in Escapes::new(bytes, 0) {
        // `at` is an ASCII byte, hence a character boundary.
        out.push_str(&text[start..at]);
        push_escape(out, bytes[at]);
        start = at + 1;
    }
    out.push_str(&text[start..]);
    out.push('"');
}

fn push_escape(out: &mut String, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match byte {
        b'"' => out.push_str("\\\""),
        b'\\' => out.push_str("\\\\"),
        0x08 => out.push_str("\\b"),
        0x0c => out.push_str("\\f"),
        b'\n' => out.push_str("\\n"),
        b'\r' => out.push_str("\\r"),
        b'\t' => out.push_str("\\t"),
        _ => {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
    }
}

/// A number written by serde_json's formatter, so that its digits are
/// serde_json's (floats especially).
fn push_formatted(
    out: &mut String,
    write: impl FnOnce(&mut Digits) -> io::Result<()>,
) -> Result<(), Declined> {
    let mut digits = Digits {
        bytes: [0; 64],
        len: 0,
    };
    write(&mut digits).map_err(|_| Declined)?;
    let text = std::str::from_utf8(&digits.bytes[..digits.len]).map_err(|_| Declined)?;
    out.push_str(text);
    Ok(())
}

/// A number's text, on the stack.
struct Digits {
    bytes: [u8; 64],
    len: usize,
}

impl io::Write for Digits {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let end = self.len + buf.len();
        let slot = self
            .bytes
            .get_mut(self.len..end)
            .ok_or_else(|| io::Error::other("number too long"))?;
        slot.copy_from_slice(buf);
        self.len = end;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn safe(magnitude: u128) -> Result<(), Declined> {
    if magnitude > u128::from(MAX_SAFE_INTEGER.unsigned_abs()) {
        return Err(Declined);
    }
    Ok(())
}

/// serde_json writes these as special structs; its own path handles them.
fn is_serde_json_token(name: &str) -> bool {
    name.starts_with("$serde_json::private::")
}

use serde_json::ser::CompactFormatter as Json;

macro_rules! small_integers {
    ($($method:ident($ty:ty) => $write:ident),* $(,)?) => {
        $(
            fn $method(self, value: $ty) -> Result<(), Declined> {
                push_formatted(&mut self.out, |digits| Json.$write(digits, value))
            }
        )*
    };
}

impl<'a> ser::Serializer for &'a mut Writer {
    type Ok = ();
    type Error = Declined;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, value: bool) -> Result<(), Declined> {
        self.out.push_str(if value { "true" } else { "false" });
        Ok(())
    }

    small_integers!(
        serialize_i8(i8) => write_i8,
        serialize_i16(i16) => write_i16,
        serialize_i32(i32) => write_i32,
        serialize_u8(u8) => write_u8,
        serialize_u16(u16) => write_u16,
        serialize_u32(u32) => write_u32,
    );

    fn serialize_i64(self, value: i64) -> Result<(), Declined> {
        safe(value.unsigned_abs().into())?;
        push_formatted(&mut self.out, |digits| Json.write_i64(digits, value))
    }

    fn serialize_u64(self, value: u64) -> Result<(), Declined> {
        safe(value.into())?;
        push_formatted(&mut self.out, |digits| Json.write_u64(digits, value))
    }

    fn serialize_i128(self, value: i128) -> Result<(), Declined> {
        safe(value.unsigned_abs())?;
        push_formatted(&mut self.out, |digits| Json.write_i128(digits, value))
    }

    fn serialize_u128(self, value: u128) -> Result<(), Declined> {
        safe(value)?;
        push_formatted(&mut self.out, |digits| Json.write_u128(digits, value))
    }

    fn serialize_f32(self, value: f32) -> Result<(), Declined> {
        if !value.is_finite() {
            return Err(Declined);
        }
        push_formatted(&mut self.out, |digits| Json.write_f32(digits, value))
    }

    fn serialize_f64(self, value: f64) -> Result<(), Declined> {
        if !value.is_finite() {
            return Err(Declined);
        }
        push_formatted(&mut self.out, |digits| Json.write_f64(digits, value))
    }

    fn serialize_char(self, value: char) -> Result<(), Declined> {
        push_string(&mut self.out, value.encode_utf8(&mut [0; 4]));
        Ok(())
    }

    fn serialize_str(self, value: &str) -> Result<(), Declined> {
        push_string(&mut self.out, value);
        Ok(())
    }

    fn serialize_bytes(self, value: &[u8]) -> Result<(), Declined> {
        let mut seq = self.serialize_seq(Some(value.len()))?;
        for byte in value {
            seq.serialize_element(byte)?;
        }
        SerializeSeq::end(seq)
    }

    fn serialize_none(self) -> Result<(), Declined> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Declined> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Declined> {
        self.out.push_str("null");
        Ok(())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Declined> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Declined> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Declined> {
        if is_serde_json_token(name) {
            return Err(Declined);
        }
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Declined> {
        self.out.push('{');
        push_string(&mut self.out, variant);
        self.out.push(':');
        value.serialize(&mut *self)?;
        self.out.push('}');
        Ok(())
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a>, Declined> {
        self.out.push('[');
        Ok(Compound {
            writer: self,
            first: true,
            close: "]",
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'a>, Declined> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Compound<'a>, Declined> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Declined> {
        self.out.push('{');
        push_string(&mut self.out, variant);
        self.out.push_str(":[");
        Ok(Compound {
            writer: self,
            first: true,
            close: "]}",
        })
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a>, Declined> {
        self.out.push('{');
        Ok(Compound {
            writer: self,
            first: true,
            close: "}",
        })
    }

    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Compound<'a>, Declined> {
        if is_serde_json_token(name) {
            return Err(Declined);
        }
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Declined> {
        self.out.push('{');
        push_string(&mut self.out, variant);
        self.out.push_str(":{");
        Ok(Compound {
            writer: self,
            first: true,
            close: "}}",
        })
    }
}

/// An array or object being written; `close` ends it.
struct Compound<'a> {
    writer: &'a mut Writer,
    first: bool,
    close: &'static str,
}

impl Compound<'_> {
    fn separate(&mut self) {
        if !self.first {
            self.writer.out.push(',');
        }
        self.first = false;
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Declined> {
        self.separate();
        value.serialize(&mut *self.writer)
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Declined> {
        self.separate();
        push_string(&mut self.writer.out, key);
        self.writer.out.push(':');
        value.serialize(&mut *self.writer)
    }

    fn finish(self) -> Result<(), Declined> {
        self.writer.out.push_str(self.close);
        Ok(())
    }
}

macro_rules! sequence {
    ($trait:ident, $method:ident) => {
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = Declined;

            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Declined> {
                self.element(value)
            }

            fn end(self) -> Result<(), Declined> {
                self.finish()
            }
        }
    };
}

sequence!(SerializeSeq, serialize_element);
sequence!(SerializeTuple, serialize_element);
sequence!(SerializeTupleStruct, serialize_field);
sequence!(SerializeTupleVariant, serialize_field);

impl SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Declined;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Declined> {
        self.separate();
        key.serialize(KeyWriter(&mut self.writer.out))?;
        self.writer.out.push(':');
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Declined> {
        value.serialize(&mut *self.writer)
    }

    fn end(self) -> Result<(), Declined> {
        self.finish()
    }
}

impl SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Declined;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Declined> {
        self.field(key, value)
    }

    fn end(self) -> Result<(), Declined> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = Declined;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Declined> {
        self.field(key, value)
    }

    fn end(self) -> Result<(), Declined> {
        self.finish()
    }
}

mod key;
mod read;
mod scan;
#[cfg(test)]
mod tests;

use key::KeyWriter;
pub(crate) use read::{TextReader, reads_as_serde_json};
use scan::Escapes;
