//! Validation of the data that crosses the boundary.
//!
//! Inbound payloads are decoded by [`Decoder`]: a fast path deserializes
//! straight into the typed value while checking the schema's constraints
//! (see `plan/`), and the JSON Schema validator runs only when that path
//! rejects a payload or cannot decide for the contract's schema. Outbound
//! data always goes through the 64-bit safe-integer check, and through the
//! schema when outbound validation is on.
//!
//! Validators are compiled for draft 2020-12, with format assertions on,
//! the linear-time `regex` engine for `pattern`, and no retrieval of
//! external documents: a `$ref` outside the schema fails to compile.

mod decoder;
mod issues;
mod outbound;
mod plan;

use jsonschema::{Draft, PatternOptions};
use schemars::JsonSchema;
use serde_json::Value;

use crate::schema::{self, Direction};

pub use decoder::{DecodeError, Decoder};
pub(crate) use outbound::{encode_outbound, encode_outbound_into, unsafe_integers};

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
}
