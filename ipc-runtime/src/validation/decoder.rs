//! [`Decoder`]: inbound payloads through the fast path, and through the
//! JSON Schema validator when the fast path refuses them or cannot decide.

use std::marker::PhantomData;

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::issues::{collect_issues, serde_path};
use super::outbound::unsafe_integers;
use super::plan::Plan;
use super::{SchemaError, compile_schema, exceeds_depth, input_root_schema, options};
use crate::wire::{IpcValidationError, ValidationField, ValidationIssue};

/// Why a payload was not decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// It nests deeper than the decoder's limit.
    TooDeep { limit: usize },
    /// It does not match the schema.
    Invalid(IpcValidationError),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::TooDeep { limit } => {
                write!(f, "the payload nests deeper than {limit} levels")
            }
            DecodeError::Invalid(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Decodes request payloads of type `T`, validated against a schema.
///
/// A payload is accepted exactly when its JSON value (duplicate keys: the
/// last one wins, as in `JSON.parse`) matches the schema and serde can
/// build a `T` from it.
pub struct Decoder<T> {
    validator: jsonschema::Validator,
    root: Value,
    plan: Option<Plan>,
    max_depth: usize,
    _payload: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Decoder<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder")
            .field("type", &std::any::type_name::<T>())
            .field("fast_path", &self.plan.is_some())
            .field("max_depth", &self.max_depth)
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned> Decoder<T> {
    /// A decoder for `T`'s own input-direction schema.
    pub fn new(max_depth: usize) -> Result<Self, SchemaError>
    where
        T: JsonSchema,
    {
        Self::with_schema(input_root_schema::<T>(), max_depth)
    }

    /// A decoder that validates against `root`, a self-contained schema
    /// that must describe `T` (e.g. a manifest's `payload_root_schema`).
    pub fn with_schema(root: Value, max_depth: usize) -> Result<Self, SchemaError> {
        let validator = compile_schema(&root)?;
        let plan = Plan::compile(&root, &options());
        Ok(Decoder {
            validator,
            root,
            plan,
            max_depth,
            _payload: PhantomData,
        })
    }

    /// The schema payloads are validated against.
    pub fn schema(&self) -> &Value {
        &self.root
    }

    /// Whether valid payloads are decoded without running the validator.
    /// `false` when the schema uses a keyword the fast path does not check
    /// (then every payload goes through the validator).
    pub fn has_fast_path(&self) -> bool {
        self.plan.is_some()
    }

    /// Decodes and validates one JSON payload.
    // Inlined with the fast path, so that the typed value is written once
    // where the caller wants it rather than copied through each layer.
    #[inline]
    pub fn decode(&self, bytes: &[u8]) -> Result<T, DecodeError> {
        // The fast path bounds the depth itself; anything it refuses is
        // looked at again, depth first.
        match &self.plan {
            Some(plan) => plan.decode_or(bytes, self.max_depth, || self.decode_refused(bytes)),
            None => self.decode_refused(bytes),
        }
    }

    /// [`decode`](Self::decode) for a payload known to be UTF-8 (the
    /// transports' text), which is then not validated again.
    #[inline]
    pub(crate) fn decode_text(&self, text: &str) -> Result<T, DecodeError> {
        match &self.plan {
            Some(plan) => plan.decode_text_or(text, self.max_depth, || {
                self.decode_refused(text.as_bytes())
            }),
            None => self.decode_refused(text.as_bytes()),
        }
    }

    /// The fast path alone on the value `deserializer` reads next (a
    /// payload inside its envelope), leaving what follows it unread. An
    /// error when the fast path refuses the value or the schema has none:
    /// the caller then decodes the payload on its own with
    /// [`decode_text`](Self::decode_text), which gives the exact answer.
    #[inline]
    pub(crate) fn decode_within<'de, D: serde::Deserializer<'de>>(
        &self,
        deserializer: D,
    ) -> Result<T, D::Error> {
        match &self.plan {
            Some(plan) => plan.decode_within(deserializer, self.max_depth),
            None => Err(serde::de::Error::custom("no fast path")),
        }
    }

    /// What the fast path did not accept: the validator decides.
    #[inline(never)]
    fn decode_refused(&self, bytes: &[u8]) -> Result<T, DecodeError> {
        if exceeds_depth(bytes, self.max_depth) {
            return Err(DecodeError::TooDeep {
                limit: self.max_depth,
            });
        }
        self.decode_checked(bytes).map_err(DecodeError::Invalid)
    }

    /// The fast path alone: `Some` when it accepts the payload, `None` when
    /// it refuses or the schema has no fast path (then [`decode`] asks the
    /// validator). It never accepts a payload the schema rejects.
    ///
    /// [`decode`]: Self::decode
    pub fn decode_fast(&self, bytes: &[u8]) -> Option<T> {
        self.plan
            .as_ref()?
            .decode_or(bytes, self.max_depth, || Err(()))
            .ok()
    }

    /// Validates a typed value (from an in-process caller) as if it had
    /// been received.
    pub fn check(&self, value: &T) -> Result<(), IpcValidationError>
    where
        T: Serialize,
    {
        let json = serde_json::to_value(value).map_err(|error| {
            IpcValidationError::new(
                ValidationField::Request,
                vec![ValidationIssue::new(Vec::new(), error.to_string())],
                false,
            )
        })?;
        let (issues, more) = collect_issues(&self.validator, &json);
        if issues.is_empty() {
            Ok(())
        } else {
            Err(IpcValidationError::new(
                ValidationField::Request,
                issues,
                more,
            ))
        }
    }

    /// The exact path: parse, validate, then build the typed value.
    fn decode_checked(&self, bytes: &[u8]) -> Result<T, IpcValidationError> {
        let invalid = |issues: Vec<ValidationIssue>, more: bool| {
            IpcValidationError::new(ValidationField::Request, issues, more)
        };
        let value: Value = serde_json::from_slice(bytes).map_err(|error| {
            invalid(
                vec![ValidationIssue::new(
                    Vec::new(),
                    format!("Invalid JSON: {error}"),
                )],
                false,
            )
        })?;
        let (issues, more) = collect_issues(&self.validator, &value);
        if !issues.is_empty() {
            return Err(invalid(issues, more));
        }
        // Also where the schema allows any number (a float, a JSON value, an
        // untagged union's float branch): serde could build an integer from it.
        let issues = unsafe_integers(&value);
        if !issues.is_empty() {
            return Err(invalid(issues, false));
        }
        if let Ok(typed) = T::deserialize(&value) {
            return Ok(typed);
        }
        // JSON Schema counts `1.0` as an integer; serde's integer types do
        // not, so integral numbers are given to serde as integers.
        let mut normalized = value;
        normalize_integral_numbers(&mut normalized);
        serde_path_to_error::deserialize::<_, T>(&normalized).map_err(|error| {
            let path = serde_path(error.path());
            invalid(
                vec![ValidationIssue::new(path, error.inner().to_string())],
                false,
            )
        })
    }
}

fn normalize_integral_numbers(value: &mut Value) {
    match value {
        Value::Number(number) => {
            if let Some(float) = number.as_f64().filter(|_| number.is_f64())
                && float.fract() == 0.0
            {
                if (0.0..18_446_744_073_709_551_616.0).contains(&float) {
                    *value = Value::from(float as u64);
                } else if (-9_223_372_036_854_775_808.0..0.0).contains(&float) {
                    *value = Value::from(float as i64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize_integral_numbers),
        Value::Object(object) => object.values_mut().for_each(normalize_integral_numbers),
        _ => {}
    }
}
