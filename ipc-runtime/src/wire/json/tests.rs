use super::*;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// What serde_json writes, when the writer does not decline.
fn same_as_serde_json<T: Serialize + ?Sized>(value: &T) -> Result<(), TestCaseError> {
    if let Some(ours) = to_string(value) {
        let theirs =
            serde_json::to_string(value).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(ours, theirs);
    }
    Ok(())
}

/// JSON values of every kind, nested a few levels (also what the reader
/// tests read back).
pub(super) fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        any::<String>().prop_map(Value::String),
        "[\\x00-\\x7f]{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::btree_map(any::<String>(), inner, 0..8)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them(text in any::<String>()) {
        prop_assert!(to_string(&text).is_some());
        same_as_serde_json(&text)?;
    }

    #[test]
    fn ascii_with_controls_is_escaped_as_serde_json_escapes_it(text in "[\\x00-\\x7f]{0,80}") {
        same_as_serde_json(&text)?;
    }

    /// Longer than a few of the writer's blocks, with escapes at any
    /// offset in a block, at its edges and in its tail.
    #[test]
    fn long_text_is_escaped_as_serde_json_escapes_it(
        text in "[a-zé\"\\\\\\x00-\\x1f]{0,300}",
        run in 0usize..200,
    ) {
        same_as_serde_json(&format!("{}{text}", "x".repeat(run)))?;
    }

    #[test]
    fn values_are_written_as_serde_json_writes_them(value in json_value()) {
        same_as_serde_json(&value)?;
    }

    #[test]
    fn integer_keys_are_written_as_serde_json_writes_them(map in proptest::collection::btree_map(any::<i64>(), any::<u8>(), 0..6)) {
        prop_assert!(to_string(&map).is_some());
        same_as_serde_json(&map)?;
    }
}

#[derive(Serialize)]
enum Shape {
    Unit,
    Newtype(u8),
    Tuple(u8, String),
    Struct { a: Option<f64>, b: Vec<char> },
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum Tagged {
    First { x: u32 },
    Second,
}

#[derive(Serialize)]
struct Wrapper {
    #[serde(flatten)]
    extra: BTreeMap<String, Value>,
    unit: (),
    bytes: serde_bytes_like::Bytes,
    shapes: Vec<Shape>,
    tagged: Vec<Tagged>,
    float: f32,
}

mod serde_bytes_like {
    /// Serialized with `serialize_bytes`.
    pub(super) struct Bytes(pub(super) Vec<u8>);

    impl serde::Serialize for Bytes {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_bytes(&self.0)
        }
    }
}

#[test]
fn derived_shapes_are_written_as_serde_json_writes_them() {
    let value = Wrapper {
        extra: BTreeMap::from([("k\"ey".to_owned(), json!([1, "\u{1f}"]))]),
        unit: (),
        bytes: serde_bytes_like::Bytes(vec![0, 7, 255]),
        shapes: vec![
            Shape::Unit,
            Shape::Newtype(3),
            Shape::Tuple(4, "t\\".to_owned()),
            Shape::Struct {
                a: Some(1.5e300),
                b: vec!['\n', 'é'],
            },
            Shape::Struct {
                a: None,
                b: Vec::new(),
            },
        ],
        tagged: vec![Tagged::First { x: 9 }, Tagged::Second],
        float: 0.1,
    };
    let ours = to_string(&value).expect("written");
    assert_eq!(ours, serde_json::to_string(&value).expect("serde_json"));
}

#[test]
fn what_serde_json_must_write_is_declined() {
    let raw = serde_json::value::RawValue::from_string("[1, 2]".to_owned()).expect("raw");
    assert!(to_string(&raw).is_none());
    assert!(to_string(&f64::NAN).is_none());
    assert!(to_string(&vec![f64::INFINITY]).is_none());
    assert!(to_string(&((1u64 << 53) + 1)).is_none());
    assert!(to_string(&(-(1i128 << 60))).is_none());
    assert!(to_string(&BTreeMap::from([(true, 1)])).is_none());
    // At the edge of the safe range, and as keys, integers are written.
    assert_eq!(
        to_string(&[MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER]).as_deref(),
        Some("[9007199254740991,-9007199254740991]")
    );
    assert_eq!(
        to_string(&BTreeMap::from([(u64::MAX, 1)])).as_deref(),
        Some(r#"{"18446744073709551615":1}"#)
    );
}

#[test]
fn appended_output_follows_what_was_there() {
    let mut out = String::from("{\"data\":");
    assert!(write_into(&mut out, &json!({"text": "a\nb"})));
    assert_eq!(out, r#"{"data":{"text":"a\nb"}"#);
    // Declined half way through: what was there stays, and only that.
    let mut out = String::from("x");
    assert!(!write_into(&mut out, &(1, "two", f64::NAN)));
    assert!(!write_into(&mut out, &vec![1.0, f64::INFINITY]));
    assert_eq!(out, "x");
}
