//! Validation of the data that crosses the boundary.
//!
//! Inbound payloads are decoded by [`Decoder`]: a fast path deserializes
//! straight into the typed value while checking the schema's constraints
//! (see `plan.rs`), and the JSON Schema validator runs only when that path
//! rejects a payload or cannot decide for the contract's schema. Outbound
//! data always goes through the 64-bit safe-integer check, and through the
//! schema when outbound validation is on.
//!
//! Validators are compiled for draft 2020-12, with format assertions on,
//! the linear-time `regex` engine for `pattern`, and no retrieval of
//! external documents: a `$ref` outside the schema fails to compile.

use crate::wire::clip;
use std::io;
use std::marker::PhantomData;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{Draft, PatternOptions, ValidationError};
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::plan::Plan;
use crate::schema::{self, Direction, MAX_SAFE_INTEGER};
use crate::wire::{IpcValidationError, MAX_ISSUES, PathSegment, ValidationField, ValidationIssue};

/// A schema that cannot be compiled into a validator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    pub message: String,
}

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid schema: {}", self.message)
    }
}

impl std::error::Error for SchemaError {}

/// The options every validator of the runtime is compiled with.
pub(crate) fn options() -> jsonschema::ValidationOptions<'static> {
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(true)
        .with_pattern_options(PatternOptions::regex())
        .offline()
}

/// Compiles a self-contained root schema.
pub fn compile_schema(root: &Value) -> Result<jsonschema::Validator, SchemaError> {
    options().build(root).map_err(|error| SchemaError {
        message: error.to_string(),
    })
}

/// The input-direction root schema of `T`, as a request payload of type `T`
/// is described in a manifest.
pub fn input_root_schema<T: JsonSchema>() -> Value {
    let mut generator = schema::generator(Direction::Input);
    let schema = schema::subschema_for::<T>(&mut generator);
    let definitions = schema::take_definitions(&mut generator);
    schema::root_schema(&schema, &definitions)
}

/// The output-direction root schema of `T`.
pub fn output_root_schema<T: JsonSchema>() -> Value {
    let mut generator = schema::generator(Direction::Output);
    let schema = schema::subschema_for::<T>(&mut generator);
    let definitions = schema::take_definitions(&mut generator);
    schema::root_schema(&schema, &definitions)
}

/// Every issue `validator` finds in `instance`, at most [`MAX_ISSUES`];
/// the flag tells that there were more.
pub(crate) fn collect_issues(
    validator: &jsonschema::Validator,
    instance: &Value,
) -> (Vec<ValidationIssue>, bool) {
    let mut issues = Vec::new();
    for error in validator.iter_errors(instance) {
        append_issues(&error, instance, &mut issues);
        if issues.len() > MAX_ISSUES {
            return (issues, true);
        }
    }
    (issues, false)
}

fn append_issues(error: &ValidationError<'_>, root: &Value, out: &mut Vec<ValidationIssue>) {
    let path = instance_path(error.instance_path().as_str(), root);
    let instance = error.instance();
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            let mut path = path;
            let name = property.as_str().unwrap_or_default().to_owned();
            path.push(PathSegment::Key(name));
            out.push(ValidationIssue::new(path, "Required").received("undefined"));
        }
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            for key in unexpected {
                let mut path = path.clone();
                path.push(PathSegment::Key(key.clone()));
                out.push(ValidationIssue::new(
                    path,
                    format!("Unrecognized key \"{}\"", clip(key, 64)),
                ));
            }
        }
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            // A tagged union: when exactly one branch accepts the tag, its
            // issues say what is wrong; otherwise the value matches no shape.
            let candidates: Vec<&Vec<ValidationError<'static>>> = context
                .iter()
                .filter(|branch| !branch.iter().any(|e| is_discriminator_failure(e, &path)))
                .collect();
            if let [branch] = candidates.as_slice() {
                for error in branch.iter() {
                    append_issues(error, root, out);
                }
            } else {
                out.push(
                    ValidationIssue::new(path, "Invalid input: matches none of the allowed shapes")
                        .received(json_type(instance)),
                );
            }
        }
        kind => out.push(describe(kind, instance, path)),
    }
}

/// Whether `error` rejects a branch of a union for its tag: a `const`,
/// `enum` or `type` failure on a direct property of the union's value, or
/// a `type` failure on the value itself.
fn is_discriminator_failure(error: &ValidationError<'_>, union_path: &[PathSegment]) -> bool {
    let root = Value::Null;
    let path = instance_path(error.instance_path().as_str(), &root);
    match error.kind() {
        ValidationErrorKind::Constant { .. } | ValidationErrorKind::Enum { .. } => {
            path.len() == union_path.len() + 1
        }
        ValidationErrorKind::Type { .. } => path.len() == union_path.len(),
        ValidationErrorKind::Required { .. } => false,
        _ => false,
    }
}

fn describe(
    kind: &ValidationErrorKind,
    instance: &Value,
    path: Vec<PathSegment>,
) -> ValidationIssue {
    let issue = |message: String| ValidationIssue::new(path.clone(), message);
    match kind {
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(single) => single.to_string(),
                TypeKind::Multiple(many) => many
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(" | "),
            };
            let received = json_type(instance);
            issue(format!("Expected {expected}, received {received}"))
                .expected(expected)
                .received(received)
        }
        ValidationErrorKind::Constant { expected_value } => {
            let expected = clip(&expected_value.to_string(), 64);
            issue(format!("Invalid literal value, expected {expected}"))
                .expected(expected)
                .received(short_value(instance))
        }
        ValidationErrorKind::Enum { options } => {
            let expected = match options.as_ref() {
                Value::Array(items) => items
                    .iter()
                    .map(|item| clip(&item.to_string(), 64))
                    .collect::<Vec<_>>()
                    .join(" | "),
                other => clip(&other.to_string(), 64),
            };
            let received = short_value(instance);
            issue(format!(
                "Invalid enum value. Expected {expected}, received {received}"
            ))
            .expected(expected)
            .received(received)
        }
        ValidationErrorKind::MinLength { limit } => {
            issue(format!("String must contain at least {limit} character(s)"))
                .expected(format!("length >= {limit}"))
                .received(format!("length {}", string_length(instance)))
        }
        ValidationErrorKind::MaxLength { limit } => {
            issue(format!("String must contain at most {limit} character(s)"))
                .expected(format!("length <= {limit}"))
                .received(format!("length {}", string_length(instance)))
        }
        ValidationErrorKind::Minimum { limit } => {
            issue(format!("Number must be greater than or equal to {limit}"))
                .expected(format!(">= {limit}"))
                .received(short_value(instance))
        }
        ValidationErrorKind::Maximum { limit } => {
            issue(format!("Number must be less than or equal to {limit}"))
                .expected(format!("<= {limit}"))
                .received(short_value(instance))
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            issue(format!("Number must be greater than {limit}"))
                .expected(format!("> {limit}"))
                .received(short_value(instance))
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            issue(format!("Number must be less than {limit}"))
                .expected(format!("< {limit}"))
                .received(short_value(instance))
        }
        ValidationErrorKind::MultipleOf { multiple_of } => {
            issue(format!("Number must be a multiple of {multiple_of}"))
                .expected(format!("multiple of {multiple_of}"))
                .received(short_value(instance))
        }
        ValidationErrorKind::MinItems { limit } => {
            issue(format!("Array must contain at least {limit} element(s)"))
                .expected(format!("length >= {limit}"))
                .received(format!("length {}", array_length(instance)))
        }
        ValidationErrorKind::MaxItems { limit } => {
            issue(format!("Array must contain at most {limit} element(s)"))
                .expected(format!("length <= {limit}"))
                .received(format!("length {}", array_length(instance)))
        }
        ValidationErrorKind::UniqueItems => issue("Array items must be unique".to_owned()),
        ValidationErrorKind::MinProperties { limit } => {
            issue(format!("Object must have at least {limit} propert(ies)"))
        }
        ValidationErrorKind::MaxProperties { limit } => {
            issue(format!("Object must have at most {limit} propert(ies)"))
        }
        ValidationErrorKind::Pattern { pattern }
            if let Some((message, expected)) = instance
                .as_str()
                .and_then(|text| crate::wide::explain_pattern(pattern, text)) =>
        {
            issue(message)
                .expected(expected)
                .received(short_value(instance))
        }
        ValidationErrorKind::Pattern { pattern } => issue(format!(
            "String must match the pattern {}",
            clip(pattern, 64)
        ))
        .expected(format!("pattern {}", clip(pattern, 64))),
        ValidationErrorKind::Format { format } => {
            issue(format!("Invalid {format}")).expected(format.clone())
        }
        ValidationErrorKind::FalseSchema => issue("No value is allowed here".to_owned()),
        ValidationErrorKind::Not { .. } => issue("Value is not allowed here".to_owned()),
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            issue("Invalid input: matches more than one of the allowed shapes".to_owned())
        }
        ValidationErrorKind::BacktrackLimitExceeded { .. }
        | ValidationErrorKind::RegexEngineFailure { .. } => {
            issue("String could not be checked against its pattern".to_owned())
        }
        _ => issue(format!("Invalid value ({})", kind.keyword())),
    }
}

/// The JSON Pointer `pointer` as segments: a token is an index when the
/// value it steps into (in `root`) is an array, a key otherwise.
fn instance_path(pointer: &str, root: &Value) -> Vec<PathSegment> {
    let mut segments = Vec::new();
    let mut current = Some(root);
    for token in pointer.split('/').skip(1) {
        let key = token.replace("~1", "/").replace("~0", "~");
        match current {
            Some(Value::Array(items)) => match key.parse::<usize>() {
                Ok(index) => {
                    current = items.get(index);
                    segments.push(PathSegment::Index(index));
                }
                Err(_) => {
                    current = None;
                    segments.push(PathSegment::Key(key));
                }
            },
            Some(Value::Object(object)) => {
                current = object.get(&key);
                segments.push(PathSegment::Key(key));
            }
            _ => {
                current = None;
                segments.push(match key.parse::<usize>() {
                    Ok(index) => PathSegment::Index(index),
                    Err(_) => PathSegment::Key(key),
                });
            }
        }
    }
    segments
}

/// A JSON type name as the issues use it.
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(number) if number.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The value itself when it is a scalar of modest size, else its type.
fn short_value(value: &Value) -> String {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) => value.to_string(),
        Value::String(text) if text.len() <= 64 => value.to_string(),
        other => json_type(other).to_owned(),
    }
}

fn string_length(value: &Value) -> usize {
    value.as_str().map_or(0, |text| text.chars().count())
}

fn array_length(value: &Value) -> usize {
    value.as_array().map_or(0, Vec::len)
}

/// Whether the JSON text `bytes` nests arrays and objects deeper than
/// `limit`. Strings are skipped with `memchr`; nothing is allocated.
pub fn exceeds_depth(bytes: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                loop {
                    match memchr::memchr2(b'"', b'\\', &bytes[i.min(bytes.len())..]) {
                        Some(offset) => {
                            i += offset;
                            if bytes[i] == b'\\' {
                                i += 2;
                            } else {
                                break;
                            }
                        }
                        None => return false,
                    }
                }
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    false
}

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
            let path = error
                .path()
                .iter()
                .filter_map(|segment| match segment {
                    serde_path_to_error::Segment::Seq { index } => Some(PathSegment::Index(*index)),
                    serde_path_to_error::Segment::Map { key } => {
                        Some(PathSegment::Key(key.clone()))
                    }
                    serde_path_to_error::Segment::Enum { variant } => {
                        Some(PathSegment::Key(variant.clone()))
                    }
                    serde_path_to_error::Segment::Unknown => None,
                })
                .collect();
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
    let fail = |issues: Vec<ValidationIssue>, more: bool| {
        IpcValidationError::new(ValidationField::Response, issues, more)
    };
    // The fast writer first; what it declines goes through serde_json, with
    // the safe-integer and finite checks that explain a refusal.
    let out = match crate::wire::json::to_string(value) {
        Some(text) => text,
        None => {
            let mut out = Vec::with_capacity(128);
            let mut serializer =
                serde_json::Serializer::with_formatter(&mut out, SafeIntegerFormatter::default());
            if value.serialize(Finite(&mut serializer)).is_err() {
                return Err(fail(vec![locate_refusal(value)], false));
            }
            // serde_json writes UTF-8.
            String::from_utf8(out).map_err(|error| {
                fail(
                    vec![ValidationIssue::new(Vec::new(), error.to_string())],
                    false,
                )
            })?
        }
    };
    if let Some(validator) = validator {
        let json: Value = serde_json::from_str(&out).map_err(|error| {
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
    Ok(out)
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
            let path = error
                .path()
                .iter()
                .filter_map(|segment| match segment {
                    serde_path_to_error::Segment::Seq { index } => Some(PathSegment::Index(*index)),
                    serde_path_to_error::Segment::Map { key } => {
                        Some(PathSegment::Key(key.clone()))
                    }
                    serde_path_to_error::Segment::Enum { variant } => {
                        Some(PathSegment::Key(variant.clone()))
                    }
                    serde_path_to_error::Segment::Unknown => None,
                })
                .collect();
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
    fn depth_counts_arrays_and_objects_but_not_strings() {
        assert!(!exceeds_depth(br#"{"a":[1,{"b":"[[[[[[["}]}"#, 3));
        assert!(exceeds_depth(br#"{"a":[1,{"b":[]}]}"#, 3));
        assert!(!exceeds_depth(br#""\"[[[[""#, 1));
        assert!(exceeds_depth(b"[[[[]]]]", 3));
        assert!(!exceeds_depth(b"[[[]]]", 3));
    }

    #[test]
    fn external_refs_fail_closed() {
        for reference in [
            "https://example.com/schema.json",
            "file:///etc/passwd",
            "other.json#/x",
        ] {
            let schema = json!({"$schema": schema::DIALECT, "$ref": reference});
            assert!(compile_schema(&schema).is_err(), "{reference} compiled");
        }
    }

    #[test]
    fn formats_are_asserted() {
        let validator =
            compile_schema(&json!({"type": "string", "format": "email"})).expect("valid schema");
        assert!(!validator.is_valid(&json!("not an email")));
        assert!(validator.is_valid(&json!("a@example.com")));
    }

    #[test]
    fn patterns_use_the_linear_time_engine() {
        // Backreferences and look-around need a backtracking engine; the
        // `regex` crate refuses them, so such a schema does not compile.
        assert!(compile_schema(&json!({"type": "string", "pattern": "(a)\\1"})).is_err());
        assert!(compile_schema(&json!({"type": "string", "pattern": "a(?=b)"})).is_err());
        let validator =
            compile_schema(&json!({"type": "string", "pattern": "^(a+)+$"})).expect("valid");
        let hostile = format!("{}!", "a".repeat(10_000));
        assert!(!validator.is_valid(&json!(hostile)));
    }

    #[test]
    fn integer_paths_distinguish_indices_from_numeric_keys() {
        let root = json!({"0": [{"1": 5}]});
        assert_eq!(
            instance_path("/0/0/1", &root),
            vec![
                PathSegment::Key("0".into()),
                PathSegment::Index(0),
                PathSegment::Key("1".into())
            ]
        );
        assert_eq!(
            instance_path("/a~1b/c~0d", &json!({"a/b": {"c~d": 1}})),
            vec![
                PathSegment::Key("a/b".into()),
                PathSegment::Key("c~d".into())
            ]
        );
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
