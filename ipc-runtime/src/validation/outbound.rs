//! Outbound encoding: serde_json's bytes, written once, refusing integers
//! outside the safe range and non-finite numbers, and checked against the
//! schema when outbound validation is on.

use std::io;

use serde::Serialize;
use serde_json::Value;

use super::issues::{collect_issues, serde_path};
use crate::schema::MAX_SAFE_INTEGER;
use crate::wire::{
    IpcValidationError, MAX_ISSUES, PathSegment, ValidationField, ValidationIssue, clip,
};

/// Serializes outbound data: the safe-integer policy and finite numbers
/// always, the schema when `validator` is given. The text sent is
/// serde_json's compact JSON (from `wire::json`'s writer, byte for byte the
/// same), whatever the validator says: the schema is checked on
/// those bytes read back, so a map key or an `f32` is sent as serde writes
/// it in both modes. Issues are reported with `field: "response"`.
pub(crate) fn encode_outbound<T: Serialize + ?Sized>(
    value: &T,
    validator: Option<&jsonschema::Validator>,
) -> Result<String, IpcValidationError> {
    let mut out = String::with_capacity(128);
    encode_outbound_into(&mut out, value, validator)?;
    Ok(out)
}

/// [`encode_outbound`], appended to `out` (a reply envelope's start,
/// written where the data follows rather than copied around it). On an
/// error, `out` is left with what it held or more.
pub(crate) fn encode_outbound_into<T: Serialize + ?Sized>(
    out: &mut String,
    value: &T,
    validator: Option<&jsonschema::Validator>,
) -> Result<(), IpcValidationError> {
    let fail = |issues: Vec<ValidationIssue>, more: bool| {
        IpcValidationError::new(ValidationField::Response, issues, more)
    };
    let start = out.len();
    // The fast writer first; what it declines goes through serde_json, with
    // the safe-integer and finite checks that explain a refusal.
    if !crate::wire::json::write_into(out, value) {
        let mut bytes = Vec::with_capacity(128);
        let mut serializer =
            serde_json::Serializer::with_formatter(&mut bytes, SafeIntegerFormatter::default());
        if value.serialize(Finite(&mut serializer)).is_err() {
            return Err(fail(vec![locate_refusal(value)], false));
        }
        // serde_json writes UTF-8.
        let text = String::from_utf8(bytes).map_err(|error| {
            fail(
                vec![ValidationIssue::new(Vec::new(), error.to_string())],
                false,
            )
        })?;
        out.push_str(&text);
    }
    if let Some(validator) = validator {
        let json: Value = serde_json::from_str(&out[start..]).map_err(|error| {
            fail(
                vec![ValidationIssue::new(
                    Vec::new(),
                    clip(&error.to_string(), 64),
                )],
                false,
            )
        })?;
        let (issues, more) = collect_issues(validator, &json);
        if !issues.is_empty() {
            return Err(fail(issues, more));
        }
    }
    Ok(())
}

/// Where and why `value` could not be encoded: serialized again, with its
/// path tracked (the failure path only).
#[cold]
fn locate_refusal<T: Serialize + ?Sized>(value: &T) -> ValidationIssue {
    let mut serializer =
        serde_json::Serializer::with_formatter(io::sink(), SafeIntegerFormatter::default());
    match serde_path_to_error::serialize(&FiniteValue(value), &mut serializer) {
        Ok(()) => ValidationIssue::new(Vec::new(), "The value could not be serialized"),
        Err(error) => {
            let path = serde_path(error.path());
            let inner = error.into_inner();
            let message = inner.to_string();
            // serde_json appends a position to some messages; none is
            // meaningful for data that was being written.
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_owned();
            let issue = ValidationIssue::new(path, clip(&message, 200));
            match message.split_once(UNSAFE_INTEGER_PREFIX) {
                Some((_, rest)) => issue
                    .expected(format!(
                        "integer between -{MAX_SAFE_INTEGER} and {MAX_SAFE_INTEGER}"
                    ))
                    .received(rest.split(' ').next().unwrap_or_default().to_owned()),
                None if message.starts_with(NON_FINITE_PREFIX) => {
                    issue.expected("finite number").received(
                        message[NON_FINITE_PREFIX.len()..]
                            .split(' ')
                            .next()
                            .unwrap_or_default()
                            .to_owned(),
                    )
                }
                None => issue,
            }
        }
    }
}

const UNSAFE_INTEGER_PREFIX: &str = "Integer ";
const NON_FINITE_PREFIX: &str = "Number ";

/// Every integer in `value` outside ±(2^53 - 1).
pub(crate) fn unsafe_integers(value: &Value) -> Vec<ValidationIssue> {
    fn walk(value: &Value, path: &mut Vec<PathSegment>, out: &mut Vec<ValidationIssue>) {
        if out.len() >= MAX_ISSUES {
            return;
        }
        match value {
            Value::Number(number) => {
                let unsafe_integer = match (number.as_u64(), number.as_i64()) {
                    (Some(n), _) => n > MAX_SAFE_INTEGER.unsigned_abs(),
                    (None, Some(n)) => n.unsigned_abs() > MAX_SAFE_INTEGER.unsigned_abs(),
                    (None, None) => false,
                };
                if unsafe_integer {
                    out.push(
                        ValidationIssue::new(
                            path.clone(),
                            format!(
                                "Integer {number} is outside the safe range of ±{MAX_SAFE_INTEGER} and would lose precision in JavaScript"
                            ),
                        )
                        .expected(format!("integer between -{MAX_SAFE_INTEGER} and {MAX_SAFE_INTEGER}"))
                        .received(number.to_string()),
                    );
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    path.push(PathSegment::Index(index));
                    walk(item, path, out);
                    path.pop();
                }
            }
            Value::Object(object) => {
                for (key, item) in object {
                    path.push(PathSegment::Key(key.clone()));
                    walk(item, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

/// serde_json's compact output, refusing integers a JavaScript number
/// cannot hold exactly. A map key is written as a string, so any integer
/// key is allowed.
#[derive(Default)]
struct SafeIntegerFormatter {
    in_key: bool,
}

fn unsafe_integer_error(value: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!(
        "{UNSAFE_INTEGER_PREFIX}{value} is outside the safe range of ±{MAX_SAFE_INTEGER} and would lose precision in JavaScript"
    ))
}

impl SafeIntegerFormatter {
    #[inline]
    fn check(&self, magnitude: u128, value: impl std::fmt::Display) -> io::Result<()> {
        if !self.in_key && magnitude > u128::from(MAX_SAFE_INTEGER.unsigned_abs()) {
            return Err(unsafe_integer_error(value));
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for SafeIntegerFormatter {
    fn write_i64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: i64) -> io::Result<()> {
        self.check(value.unsigned_abs().into(), value)?;
        serde_json::ser::CompactFormatter.write_i64(writer, value)
    }

    fn write_u64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: u64) -> io::Result<()> {
        self.check(value.into(), value)?;
        serde_json::ser::CompactFormatter.write_u64(writer, value)
    }

    fn write_i128<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: i128) -> io::Result<()> {
        self.check(value.unsigned_abs(), value)?;
        serde_json::ser::CompactFormatter.write_i128(writer, value)
    }

    fn write_u128<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: u128) -> io::Result<()> {
        self.check(value, value)?;
        serde_json::ser::CompactFormatter.write_u128(writer, value)
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.in_key = true;
        serde_json::ser::CompactFormatter.begin_object_key(writer, first)
    }

    fn end_object_key<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.in_key = false;
        serde_json::ser::CompactFormatter.end_object_key(writer)
    }
}

/// A serializer that refuses NaN and ±infinity, which serde_json would
/// write as `null` where the schema and the TypeScript type say `number`.
struct Finite<S>(S);

/// A value serialized through [`Finite`].
struct FiniteValue<'a, T: ?Sized>(&'a T);

impl<T: Serialize + ?Sized> Serialize for FiniteValue<'_, T> {
    #[inline]
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(Finite(serializer))
    }
}

#[cold]
fn non_finite<E: serde::ser::Error>(value: f64) -> E {
    E::custom(format_args!(
        "{NON_FINITE_PREFIX}{value} is not finite: JSON has no such number (serde_json would write null)"
    ))
}

macro_rules! forward_scalars {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(
            #[inline]
            fn $method(self, value: $ty) -> Result<S::Ok, S::Error> {
                self.0.$method(value)
            }
        )*
    };
}

impl<S: serde::Serializer> serde::Serializer for Finite<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Finite<S::SerializeSeq>;
    type SerializeTuple = Finite<S::SerializeTuple>;
    type SerializeTupleStruct = Finite<S::SerializeTupleStruct>;
    type SerializeTupleVariant = Finite<S::SerializeTupleVariant>;
    type SerializeMap = Finite<S::SerializeMap>;
    type SerializeStruct = Finite<S::SerializeStruct>;
    type SerializeStructVariant = Finite<S::SerializeStructVariant>;

    forward_scalars!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str),
    );

    #[inline]
    fn serialize_f32(self, value: f32) -> Result<S::Ok, S::Error> {
        if !value.is_finite() {
            return Err(non_finite(value.into()));
        }
        self.0.serialize_f32(value)
    }

    #[inline]
    fn serialize_f64(self, value: f64) -> Result<S::Ok, S::Error> {
        if !value.is_finite() {
            return Err(non_finite(value));
        }
        self.0.serialize_f64(value)
    }

    fn serialize_none(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_none()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.0.serialize_some(&FiniteValue(value))
    }

    fn serialize_unit(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit_variant(name, index, variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_newtype_struct(name, &FiniteValue(value))
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0
            .serialize_newtype_variant(name, index, variant, &FiniteValue(value))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        self.0.serialize_seq(len).map(Finite)
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        self.0.serialize_tuple(len).map(Finite)
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        self.0.serialize_tuple_struct(name, len).map(Finite)
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        self.0
            .serialize_tuple_variant(name, index, variant, len)
            .map(Finite)
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        self.0.serialize_map(len).map(Finite)
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        self.0.serialize_struct(name, len).map(Finite)
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        self.0
            .serialize_struct_variant(name, index, variant, len)
            .map(Finite)
    }

    fn collect_str<T: std::fmt::Display + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.0.collect_str(value)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// The compound serializers: every element goes through [`Finite`] too.
macro_rules! finite_compound {
    ($trait:ident, $method:ident) => {
        impl<S: serde::ser::$trait> serde::ser::$trait for Finite<S> {
            type Ok = S::Ok;
            type Error = S::Error;

            #[inline]
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), S::Error> {
                self.0.$method(&FiniteValue(value))
            }

            fn end(self) -> Result<S::Ok, S::Error> {
                self.0.end()
            }
        }
    };
}

finite_compound!(SerializeSeq, serialize_element);
finite_compound!(SerializeTuple, serialize_element);
finite_compound!(SerializeTupleStruct, serialize_field);
finite_compound!(SerializeTupleVariant, serialize_field);

impl<S: serde::ser::SerializeMap> serde::ser::SerializeMap for Finite<S> {
    type Ok = S::Ok;
    type Error = S::Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), S::Error> {
        self.0.serialize_key(&FiniteValue(key))
    }

    #[inline]
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), S::Error> {
        self.0.serialize_value(&FiniteValue(value))
    }

    #[inline]
    fn serialize_entry<K: Serialize + ?Sized, V: Serialize + ?Sized>(
        &mut self,
        key: &K,
        value: &V,
    ) -> Result<(), S::Error> {
        self.0
            .serialize_entry(&FiniteValue(key), &FiniteValue(value))
    }

    fn end(self) -> Result<S::Ok, S::Error> {
        self.0.end()
    }
}

macro_rules! finite_fields {
    ($trait:ident) => {
        impl<S: serde::ser::$trait> serde::ser::$trait for Finite<S> {
            type Ok = S::Ok;
            type Error = S::Error;

            #[inline]
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), S::Error> {
                self.0.serialize_field(key, &FiniteValue(value))
            }

            fn skip_field(&mut self, key: &'static str) -> Result<(), S::Error> {
                self.0.skip_field(key)
            }

            fn end(self) -> Result<S::Ok, S::Error> {
                self.0.end()
            }
        }
    };
}

finite_fields!(SerializeStruct);
finite_fields!(SerializeStructVariant);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn encoded_data_is_appended_and_validated_alone() {
        let schema = json!({"type": "object", "required": ["text"]});
        let validator = crate::validation::compile_schema(&schema).expect("schema");
        let mut out = String::from("{\"data\":");
        encode_outbound_into(&mut out, &json!({"text": "a"}), Some(&validator)).expect("valid");
        assert_eq!(out, r#"{"data":{"text":"a"}"#);
        // serde_json's path (the fast writer declines a raw value) appends too.
        let raw =
            serde_json::value::RawValue::from_string(r#"{"text": "b"}"#.to_owned()).expect("raw");
        let mut out = String::from("{\"data\":");
        encode_outbound_into(&mut out, &raw, Some(&validator)).expect("valid");
        assert_eq!(out, r#"{"data":{"text": "b"}"#);
        let mut out = String::from("{\"data\":");
        let error = encode_outbound_into(&mut out, &json!({"other": 1}), Some(&validator))
            .expect_err("invalid");
        assert_eq!(error.field, ValidationField::Response);
    }

    #[test]
    fn outbound_integers_beyond_the_safe_range_are_refused() {
        let ok = encode_outbound(&json!({"n": MAX_SAFE_INTEGER}), None).expect("safe");
        assert_eq!(ok, r#"{"n":9007199254740991}"#);
        let error = encode_outbound(&json!({"a": [1, (1u64 << 53) + 1]}), None)
            .expect_err("unsafe integer");
        assert_eq!(error.field, ValidationField::Response);
        assert_eq!(
            error.issues[0].path,
            vec![PathSegment::Key("a".into()), PathSegment::Index(1)]
        );
        let error = encode_outbound(&(-(1i128 << 60)), None).expect_err("unsafe i128");
        assert_eq!(error.issues.len(), 1);
    }
}
