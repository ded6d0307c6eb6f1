//! Inputs the fuzz targets in `fuzz/` found, kept as tests so that they are
//! checked on every `cargo test` (docs/fuzzing.md). Each names its target
//! and what it broke.

use ipc_runtime::Decoder;
use ipc_runtime::validation::input_root_schema;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `decode_parity`'s `Numbers` type, as the target declares it.
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
    counts: std::collections::BTreeMap<String, u16>,
}

fn numbers(wide: &str) -> String {
    format!(r#"{{"small":1,"signed":1,"wide":{wide},"ranged":5,"ratio":0.5,"precise":2.5}}"#)
}

fn decode(payload: &str) -> Result<Value, String> {
    let decoder = Decoder::<Numbers>::with_schema(input_root_schema::<Numbers>(), 64)
        .expect("schema compiles");
    decoder
        .decode(payload.as_bytes())
        .map(|typed| serde_json::to_value(typed).expect("serializes"))
        .map_err(|error| error.to_string())
}

/// decode_parity flagged `"wide": 1.0` for a `u64`: the decoder reads it as
/// 1 where serde alone refuses a float for an integer. That is the
/// runtime's leniency (JSON Schema counts `1.0` as an integer, so the
/// decoder gives serde integral numbers as integers); the target now
/// allows exactly it, and this test holds the runtime to it: integral
/// floats in range become their integer, anything else is refused as
/// serde refuses it.
#[test]
fn integral_floats_for_integers_are_read_as_their_integer_and_nothing_else() {
    for (wide, expected) in [("1.0", 1_u64), ("0.0", 0), ("-0.0", 0), ("1e2", 100)] {
        let payload = numbers(wide);
        assert!(
            serde_json::from_str::<Numbers>(&payload).is_err(),
            "serde alone refuses {wide}"
        );
        let decoded = decode(&payload).unwrap_or_else(|e| panic!("{wide}: {e}"));
        assert_eq!(decoded["wide"], expected, "{wide}");
    }
    for wide in ["1.5", "-1.0", "1e300", "18446744073709551616.0"] {
        assert!(decode(&numbers(wide)).is_err(), "{wide} is refused");
    }
}
