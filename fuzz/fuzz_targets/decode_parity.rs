//! The validating decoder against an independent JSON Schema validator and
//! serde: the fast path never accepts what the validator refuses, and
//! whatever the decoder accepts, serde reads as the same value (given
//! integral floats as integers, the one leniency docs/fuzzing.md names). The first
//! byte picks the contract type; the rest is the payload.

#![no_main]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use ipc_runtime::Decoder;
use ipc_runtime::validation::input_root_schema;
use libfuzzer_sys::fuzz_target;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Integers of every width, floats, options and maps.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Numbers {
    small: u8,
    signed: i32,
    wide: u64,
    #[schemars(range(min = -5, max = 5))]
    ranged: i64,
    ratio: f32,
    precise: Option<f64>,
    #[serde(default)]
    counts: BTreeMap<String, u16>,
}

/// Externally, internally and adjacently tagged enums, and a tuple.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Variants {
    external: External,
    internal: Internal,
    adjacent: Adjacent,
    pair: (bool, String),
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
enum External {
    Unit,
    Newtype(u32),
    Struct { a: String },
    Tuple(u8, u8),
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type")]
enum Internal {
    One { x: u32 },
    Two,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "t", content = "c")]
enum Adjacent {
    Text(String),
    Empty,
}

/// Strings with lengths, patterns and renamed fields.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Texts {
    #[schemars(length(min = 2, max = 5))]
    short_name: String,
    #[schemars(regex(pattern = r"^[a-z]+$"))]
    lower: String,
    #[serde(default)]
    #[schemars(length(max = 3), inner(length(max = 2)))]
    tags: Vec<String>,
    nested: Option<Box<Texts>>,
}

/// Integral floats (`1.0`, `-0.0`, `1e2`) as the integers they equal.
fn integral_as_integers(value: &mut Value) {
    match value {
        Value::Number(number) if number.is_f64() => {
            let float = number.as_f64().unwrap_or(f64::NAN);
            if float.fract() == 0.0 {
                if float >= 0.0 && float < u64::MAX as f64 {
                    *value = Value::from(float as u64);
                } else if float < 0.0 && float >= i64::MIN as f64 {
                    *value = Value::from(float as i64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_as_integers),
        Value::Object(members) => members.values_mut().for_each(integral_as_integers),
        _ => {}
    }
}

/// Checks one payload against one contract type.
type Checker = Box<dyn Fn(&[u8]) + Send + Sync>;

fn checker<T: DeserializeOwned + Serialize + JsonSchema + 'static>() -> Checker {
    let decoder = Decoder::<T>::with_schema(input_root_schema::<T>(), 64).expect("schema compiles");
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(decoder.schema())
        .expect("schema compiles");
    Box::new(move |bytes| {
        let value = serde_json::from_slice::<Value>(bytes).ok();
        let valid = value
            .as_ref()
            .is_some_and(|value| validator.is_valid(value));
        let serde = serde_json::from_slice::<T>(bytes)
            .ok()
            .or_else(|| {
                // The runtime's one documented leniency: JSON Schema
                // counts `1.0` as an integer, so the decoder gives
                // serde integral numbers as integers.
                let mut value = value.clone()?;
                integral_as_integers(&mut value);
                T::deserialize(&value).ok()
            })
            .map(|typed| serde_json::to_value(typed).expect("serializes"));
        let same_as_serde = |typed: T, path: &str| {
            let typed = serde_json::to_value(typed).expect("serializes");
            assert_eq!(Some(&typed), serde.as_ref(), "{path} disagrees with serde");
        };
        if let Some(fast) = decoder.decode_fast(bytes) {
            assert!(valid, "the fast path accepted what the validator refuses");
            same_as_serde(fast, "the fast path");
        }
        if let Ok(decoded) = decoder.decode(bytes) {
            assert!(valid, "the decoder accepted what the validator refuses");
            same_as_serde(decoded, "the decoder");
        }
    })
}

fn checkers() -> &'static [Checker] {
    static CHECKERS: OnceLock<Vec<Checker>> = OnceLock::new();
    CHECKERS.get_or_init(|| {
        vec![
            checker::<notes_contracts::SaveNote>(),
            checker::<notes_contracts::TelemetryEvent>(),
            checker::<Numbers>(),
            checker::<Variants>(),
            checker::<Texts>(),
        ]
    })
}

fuzz_target!(|bytes: &[u8]| {
    let Some((&selector, payload)) = bytes.split_first() else {
        return;
    };
    let checkers = checkers();
    checkers[usize::from(selector) % checkers.len()](payload);
});
