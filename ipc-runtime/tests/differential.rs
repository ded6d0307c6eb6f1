//! The fast path decides exactly as the JSON Schema does: over generated
//! JSON (mostly near-valid, with perturbations), for several contracts,
//! `Decoder::decode` accepts a payload exactly when an independently built
//! draft 2020-12 validator accepts it and it holds no integer outside the
//! safe range (the runtime's one documented rule beyond the schema), and
//! the fast path alone never accepts a payload the validator rejects.

use ipc_runtime::validation::input_root_schema;
use ipc_runtime::{CollectManifest, Decoder, Manifest};
use notes_contracts::{DeleteNote, GetNote, ListNotes, NoteChanged, SaveNote, TelemetryEvent};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

const SAFE: u64 = (1 << 53) - 1;

/// Integers around the safe limit, and numbers and non-numbers JSON Schema
/// and serde disagree about.
fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0u64..20).prop_map(Value::from),
        (SAFE - 2..=SAFE + 3).prop_map(Value::from),
        Just(json!(-1)),
        Just(json!(-9_007_199_254_740_991_i64)),
        Just(json!(u64::MAX)),
        Just(json!(1.0)),
        Just(json!(2.5)),
        Just(json!(9_007_199_254_740_991.0)),
        Just(json!(9_007_199_254_740_992.0)),
        Just(json!(1e300)),
        Just(json!(-0.0)),
        Just(json!("7")),
        Just(Value::Null),
    ]
}

/// Strings of 0 to `max` code points, some of them several bytes long: the
/// lengths JSON Schema counts are code points, not bytes.
fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => Just('a'),
            1 => Just('é'),
            1 => Just('😀'),
            1 => Just('"'),
            1 => Just('\\'),
            1 => Just('\n'),
        ],
        0..=max,
    )
    .prop_map(String::from_iter)
}

/// Any JSON value, small.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        number(),
        text(4).prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::vec(("[a-z]{1,3}", inner), 0..3)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

/// `value`, or (now and then) something else entirely.
fn perturbed(value: impl Strategy<Value = Value>) -> impl Strategy<Value = Value> {
    prop_oneof![8 => value, 1 => any_json()]
}

/// An object with some of `fields` (each kept with probability 7/8), maybe
/// an unknown key, in a shuffled order.
fn object(fields: Vec<(&'static str, BoxedStrategy<Value>)>) -> impl Strategy<Value = Value> {
    let entries: Vec<BoxedStrategy<Option<(String, Value)>>> = fields
        .into_iter()
        .map(|(name, strategy)| {
            prop_oneof![
                7 => strategy.prop_map(move |value| Some((name.to_owned(), value))),
                1 => Just(None),
            ]
            .boxed()
        })
        .collect();
    let extra = prop_oneof![
        6 => Just(None),
        1 => any_json().prop_map(|value| Some(("extra".to_owned(), value))),
    ];
    (entries, extra, any::<prop::sample::Index>(), any::<bool>()).prop_map(
        |(entries, extra, rotation, shuffle)| {
            let mut entries: Vec<(String, Value)> = entries.into_iter().flatten().collect();
            entries.extend(extra);
            if shuffle && !entries.is_empty() {
                let by = rotation.index(entries.len());
                entries.rotate_left(by);
            }
            Value::Object(entries.into_iter().collect::<Map<String, Value>>())
        },
    )
}

fn strings(max_items: usize, max_len: usize) -> BoxedStrategy<Value> {
    prop::collection::vec(text(max_len).prop_map(Value::from), 0..=max_items)
        .prop_map(Value::Array)
        .boxed()
}

fn save_note() -> impl Strategy<Value = Value> {
    perturbed(object(vec![
        ("id", perturbed(number()).boxed()),
        // Around the 1..=200 limit on the title.
        (
            "title",
            perturbed(
                prop_oneof![
                    text(3),
                    text(205).prop_filter("long", |t| t.chars().count() > 190)
                ]
                .prop_map(Value::from),
            )
            .boxed(),
        ),
        ("body", perturbed(text(10).prop_map(Value::from)).boxed()),
        ("tags", perturbed(strings(22, 34)).boxed()),
    ]))
}

fn get_note() -> impl Strategy<Value = Value> {
    perturbed(object(vec![("id", number().boxed())]))
}

fn list_notes() -> impl Strategy<Value = Value> {
    perturbed(object(vec![]))
}

fn telemetry() -> impl Strategy<Value = Value> {
    let page = object(vec![
        (
            "type",
            prop_oneof![
                Just(json!("pageViewed")),
                Just(json!("buttonPressed")),
                Just(json!("x"))
            ]
            .boxed(),
        ),
        ("page", perturbed(text(5).prop_map(Value::from)).boxed()),
    ]);
    let button = object(vec![
        (
            "type",
            prop_oneof![Just(json!("buttonPressed")), Just(json!("pageViewed"))].boxed(),
        ),
        (
            "button",
            perturbed(prop_oneof![text(3), text(70)].prop_map(Value::from)).boxed(),
        ),
    ]);
    perturbed(prop_oneof![page, button])
}

fn note() -> BoxedStrategy<Value> {
    perturbed(object(vec![
        ("id", number().boxed()),
        ("title", text(3).prop_map(Value::from).boxed()),
        ("body", text(3).prop_map(Value::from).boxed()),
        ("tags", strings(2, 3)),
        ("updatedAtMs", number().boxed()),
    ]))
    .boxed()
}

fn note_changed() -> impl Strategy<Value = Value> {
    perturbed(object(vec![
        ("id", number().boxed()),
        (
            "kind",
            prop_oneof![
                Just(json!("created")),
                Just(json!("deleted")),
                Just(json!("Created")),
                Just(json!({"created": null})),
            ]
            .boxed(),
        ),
        ("note", prop_oneof![Just(Value::Null), note()].boxed()),
    ]))
}

/// What the differential run saw.
#[derive(Debug, Default)]
struct Tally {
    valid: usize,
    invalid: usize,
    fast: usize,
}

fn differential<T: DeserializeOwned>(
    name: &str,
    decoder: &Decoder<T>,
    strategy: impl Strategy<Value = Value>,
    fast_on_valid: impl Fn(&Value) -> bool,
) -> Tally {
    assert!(decoder.has_fast_path(), "{name} has no fast path");
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(decoder.schema())
        .expect("schema compiles");
    let tally = std::cell::RefCell::new(Tally::default());
    // A fixed seed: the same 1,500 cases on every run.
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: 1500,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    runner
        .run(&strategy, |value| {
            let bytes = serde_json::to_vec(&value).expect("serializes");
            // The schema's verdict, and the runtime's one rule beyond it:
            // no integer outside the safe range, wherever it is written.
            let valid = validator.is_valid(&value) && !has_unsafe_integer(&value);
            let decoded = decoder.decode(&bytes).is_ok();
            let fast = decoder.decode_fast(&bytes).is_some();
            prop_assert_eq!(decoded, valid, "{}: decode vs schema for {}", name, value);
            prop_assert!(!fast || valid, "{}: fast path accepted {}", name, value);
            if valid && fast_on_valid(&value) {
                prop_assert!(fast, "{}: fast path refused valid {}", name, value);
            }
            let mut tally = tally.borrow_mut();
            if valid {
                tally.valid += 1;
            } else {
                tally.invalid += 1;
            }
            tally.fast += usize::from(fast);
            Ok(())
        })
        .unwrap_or_else(|error| panic!("{error}"));
    let tally = tally.into_inner();
    eprintln!("{name}: {tally:?}");
    tally
}

/// Whether `value` holds an integer outside ±(2^53 - 1) anywhere.
fn has_unsafe_integer(value: &Value) -> bool {
    match value {
        Value::Number(number) => match (number.as_u64(), number.as_i64()) {
            (Some(n), _) => n > SAFE,
            (None, Some(n)) => n.unsigned_abs() > SAFE,
            (None, None) => false,
        },
        Value::Array(items) => items.iter().any(has_unsafe_integer),
        Value::Object(object) => object.values().any(has_unsafe_integer),
        _ => false,
    }
}

fn decoder_for<T: DeserializeOwned>(manifest: &Manifest, channel: &str) -> Decoder<T> {
    let contract = manifest.contract(channel).expect("registered");
    Decoder::with_schema(manifest.payload_root_schema(contract), 64).expect("schema compiles")
}

fn decoder_of<T: DeserializeOwned + JsonSchema>() -> Decoder<T> {
    Decoder::with_schema(input_root_schema::<T>(), 64).expect("schema compiles")
}

/// Floats JSON Schema counts as integers (`1.0`) make serde's fast path
/// give way to the validator; everything else valid is taken by it.
fn has_integral_float(value: &Value) -> bool {
    match value {
        Value::Number(number) => number.is_f64(),
        Value::Array(items) => items.iter().any(has_integral_float),
        Value::Object(object) => object.values().any(has_integral_float),
        _ => false,
    }
}

fn check_both_outcomes(name: &str, tally: &Tally) {
    assert!(
        tally.valid >= 50 && tally.invalid >= 50 && tally.fast >= 50,
        "{name}: too few of one outcome: {tally:?}"
    );
}

#[test]
fn notes_contracts_decide_like_the_schema() {
    let manifest = Manifest::collect().expect("registry");
    let tally = differential(
        "notes:save",
        &decoder_for::<SaveNote>(&manifest, "notes:save"),
        save_note(),
        |value| !has_integral_float(value),
    );
    check_both_outcomes("notes:save", &tally);
    let tally = differential(
        "notes:get",
        &decoder_for::<GetNote>(&manifest, "notes:get"),
        get_note(),
        |value| !has_integral_float(value),
    );
    check_both_outcomes("notes:get", &tally);
    let tally = differential(
        "notes:delete",
        &decoder_for::<DeleteNote>(&manifest, "notes:delete"),
        get_note(),
        |value| !has_integral_float(value),
    );
    check_both_outcomes("notes:delete", &tally);
    let tally = differential(
        "notes:list",
        &decoder_for::<ListNotes>(&manifest, "notes:list"),
        list_notes(),
        |_| true,
    );
    assert!(tally.valid >= 100, "notes:list: {tally:?}");
    // The tag must come first for the fast path to take a tagged union.
    let tally = differential(
        "telemetry:track",
        &decoder_for::<TelemetryEvent>(&manifest, "telemetry:track"),
        telemetry(),
        |value| {
            value
                .as_object()
                .and_then(|object| object.keys().next())
                .is_some_and(|first| first == "type")
        },
    );
    check_both_outcomes("telemetry:track", &tally);
}

#[test]
fn nested_optional_and_enum_fields_decide_like_the_schema() {
    let tally = differential(
        "NoteChanged",
        &decoder_of::<NoteChanged>(),
        note_changed(),
        |value| !has_integral_float(value),
    );
    check_both_outcomes("NoteChanged", &tally);
}

/// Strings constrained by `pattern` and by asserted `format`s.
#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Contact {
    #[schemars(regex(pattern = r"^[a-z]{2,8}(-[0-9]+)?$"))]
    handle: String,
    #[schemars(email)]
    email: String,
    #[schemars(url)]
    homepage: Option<String>,
    #[schemars(length(max = 3), regex(pattern = r"^\p{Lu}"))]
    initials: Vec<String>,
}

/// Mostly strings the patterns and formats decide about, some not.
fn contact_text(valid: &'static str) -> BoxedStrategy<Value> {
    prop_oneof![
        3 => valid.prop_map(Value::from),
        1 => "[a-zA-Z0-9@.:/ -]{0,12}".prop_map(Value::from),
        1 => text(6).prop_map(Value::from),
    ]
    .boxed()
}

fn contact() -> impl Strategy<Value = Value> {
    perturbed(object(vec![
        ("handle", contact_text("[a-z]{1,9}(-[0-9]{1,2})?")),
        (
            "email",
            contact_text("[a-z]{1,4}(\\.[a-z]{1,3})?@[a-z]{1,5}\\.(com|org)"),
        ),
        (
            "homepage",
            prop_oneof![
                1 => Just(Value::Null),
                3 => contact_text("https?://[a-z]{1,6}\\.[a-z]{2,3}(/[a-z]{0,4})?"),
            ]
            .boxed(),
        ),
        (
            "initials",
            prop::collection::vec(contact_text("[A-ZÉa-z][a-z]?"), 0..=4)
                .prop_map(Value::Array)
                .boxed(),
        ),
    ]))
}

#[test]
fn patterns_and_formats_decide_like_the_schema() {
    let decoder = decoder_of::<Contact>();
    let schema = decoder.schema().to_string();
    for keyword in ["\"pattern\"", "\"format\":\"email\"", "\"format\":\"uri\""] {
        assert!(schema.contains(keyword), "{keyword} in {schema}");
    }
    let tally = differential("Contact", &decoder, contact(), |_| true);
    check_both_outcomes("Contact", &tally);
}

/// serde's default enum representation, with unit and data variants.
#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
enum Shape {
    Circle {
        #[schemars(range(min = 0.5))]
        r: f64,
    },
    Square(#[schemars(range(max = 10))] u8),
    Empty,
    /// A documented unit variant.
    Point,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Drawing {
    #[schemars(length(max = 4))]
    shapes: Vec<Shape>,
    main: Option<Shape>,
}

fn shape() -> BoxedStrategy<Value> {
    prop_oneof![
        2 => Just(json!("Empty")),
        2 => Just(json!("Point")),
        1 => Just(json!("Circle")),
        1 => Just(json!("Nope")),
        3 => number().prop_map(|r| json!({"Circle": {"r": r}})),
        1 => Just(json!({"Circle": {}})),
        3 => number().prop_map(|side| json!({"Square": side})),
        1 => Just(json!({"Empty": null})),
        1 => Just(json!({"Square": 1, "Circle": {"r": 1}})),
        1 => Just(json!({})),
        1 => any_json(),
    ]
    .boxed()
}

fn drawing() -> impl Strategy<Value = Value> {
    perturbed(object(vec![
        (
            "shapes",
            prop::collection::vec(shape(), 0..=5)
                .prop_map(Value::Array)
                .boxed(),
        ),
        (
            "main",
            prop_oneof![1 => Just(Value::Null), 3 => shape()].boxed(),
        ),
    ]))
}

#[test]
fn externally_tagged_enums_decide_like_the_schema() {
    let tally = differential("Drawing", &decoder_of::<Drawing>(), drawing(), |value| {
        !has_integral_float(value)
    });
    check_both_outcomes("Drawing", &tally);
}

/// A tuple struct.
#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Pair(u8, #[schemars(length(max = 3))] String);

/// Tuples, whose schemas are `prefixItems`.
#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Segment {
    from: (f64, f64),
    label: Pair,
    more: Option<Vec<(u8, bool)>>,
}

/// Arrays of 0 to 3 items of mixed kinds, mostly of the right kinds.
fn tuple(first: BoxedStrategy<Value>, second: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    prop_oneof![
        12 => (first.clone(), second).prop_map(|(a, b)| json!([a, b])),
        1 => first.prop_map(|a| json!([a])),
        1 => Just(json!([1, "a", true])),
        1 => prop::collection::vec(any_json(), 0..=3).prop_map(Value::Array),
    ]
    .boxed()
}

/// Mostly a byte, sometimes any number.
fn byte() -> BoxedStrategy<Value> {
    prop_oneof![6 => any::<u8>().prop_map(Value::from), 1 => number()].boxed()
}

/// Mostly a finite float, sometimes any number.
fn float() -> BoxedStrategy<Value> {
    prop_oneof![6 => (-1e6f64..1e6).prop_map(Value::from), 1 => number()].boxed()
}

fn segment() -> impl Strategy<Value = Value> {
    perturbed(object(vec![
        ("from", tuple(float(), float())),
        (
            "label",
            tuple(byte(), text(4).prop_map(Value::from).boxed()),
        ),
        (
            "more",
            prop_oneof![
                1 => Just(Value::Null),
                3 => prop::collection::vec(
                    tuple(byte(), any::<bool>().prop_map(Value::from).boxed()),
                    0..=3,
                )
                .prop_map(Value::Array),
            ]
            .boxed(),
        ),
    ]))
}

#[test]
fn tuples_decide_like_the_schema() {
    let tally = differential("Segment", &decoder_of::<Segment>(), segment(), |value| {
        !has_integral_float(value)
    });
    check_both_outcomes("Segment", &tally);
}

/// Integers and floats under bounds that are fractional, exclusive, or
/// both: the fast path turns each into an exact integer range.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Gauge {
    level: i64,
    step: u32,
    ratio: f64,
}

fn gauge_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "level": {"type": "integer", "minimum": -2.5, "maximum": 7.5},
            "step": {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 9.5},
            "ratio": {"type": "number", "exclusiveMinimum": -1.5, "maximum": 3}
        },
        "required": ["level", "step", "ratio"]
    })
}

/// Mostly integers in `low..=high`, sometimes a float in tenths over the
/// same span, now and then any number.
fn around(low: i64, high: i64) -> BoxedStrategy<Value> {
    prop_oneof![
        6 => (low..=high).prop_map(Value::from),
        2 => (low * 10..=high * 10).prop_map(|tenths| Value::from(tenths as f64 / 10.0)),
        1 => number(),
    ]
    .boxed()
}

#[test]
fn fractional_and_exclusive_bounds_decide_like_the_schema() {
    let decoder = Decoder::<Gauge>::with_schema(gauge_schema(), 64).expect("schema compiles");
    let gauge = perturbed(object(vec![
        ("level", around(-4, 9)),
        ("step", around(-1, 11)),
        ("ratio", around(-2, 4)),
    ]));
    let tally = differential("Gauge", &decoder, gauge, |value| !has_integral_float(value));
    check_both_outcomes("Gauge", &tally);
}

#[test]
fn boundary_cases() {
    let manifest = Manifest::collect().expect("registry");
    let get = decoder_for::<GetNote>(&manifest, "notes:get");
    for (payload, accepted) in [
        (json!({"id": SAFE}), true),
        (json!({"id": SAFE + 1}), false),
        (json!({"id": SAFE + 2}), false),
        (json!({"id": 5.0}), true),
        (json!({"id": 5.5}), false),
        (json!({"id": -1}), false),
        (json!([5]), false),
    ] {
        let bytes = serde_json::to_vec(&payload).expect("json");
        assert_eq!(get.decode(&bytes).is_ok(), accepted, "{payload}");
    }
    let save = decoder_for::<SaveNote>(&manifest, "notes:save");
    let title = |n: usize| json!({"title": "😀".repeat(n), "body": ""});
    for (payload, accepted) in [
        (title(0), false),
        (title(1), true),
        (title(200), true),
        (title(201), false),
    ] {
        let bytes = serde_json::to_vec(&payload).expect("json");
        assert_eq!(save.decode(&bytes).is_ok(), accepted, "{payload}");
        assert_eq!(save.decode_fast(&bytes).is_some(), accepted, "{payload}");
    }
}

/// Arrays under `uniqueItems`, for a schema that says it (a set's input
/// schema does not: serde de-duplicates sets).
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Distinct {
    labels: Vec<String>,
    ids: Vec<u32>,
    any: Vec<Value>,
}

fn distinct_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "labels": {"type": "array", "items": {"type": "string", "maxLength": 2}, "uniqueItems": true},
            "ids": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 9}, "uniqueItems": true},
            "any": {"type": "array", "uniqueItems": true}
        },
        "required": ["labels", "ids", "any"]
    })
}

/// Scalars from a small alphabet, so that items often repeat, and numbers
/// that are equal in JSON but not in their text (`1` and `1.0`, `0` and
/// `-0.0`).
fn repeating_scalar() -> BoxedStrategy<Value> {
    prop_oneof![
        3 => (0u64..4).prop_map(Value::from),
        1 => Just(json!(1.0)),
        1 => Just(json!(-0.0)),
        1 => Just(json!(0.5)),
        2 => prop_oneof![Just("a"), Just("b"), Just("ab"), Just("abc")].prop_map(Value::from),
        1 => any::<bool>().prop_map(Value::from),
        1 => Just(Value::Null),
    ]
    .boxed()
}

fn distinct() -> impl Strategy<Value = Value> {
    let any_items = prop_oneof![
        6 => repeating_scalar(),
        1 => prop::collection::vec(repeating_scalar(), 0..2).prop_map(Value::Array),
        1 => Just(json!({"k": 1})),
    ];
    perturbed(object(vec![
        (
            "labels",
            prop::collection::vec(
                prop_oneof![Just("a"), Just("b"), Just("c"), Just("ab"), Just("abc")]
                    .prop_map(Value::from),
                0..4,
            )
            .prop_map(Value::Array)
            .boxed(),
        ),
        (
            "ids",
            prop::collection::vec(
                prop_oneof![6 => (0u64..12).prop_map(Value::from), 1 => number()],
                0..4,
            )
            .prop_map(Value::Array)
            .boxed(),
        ),
        (
            "any",
            prop::collection::vec(any_items, 0..4)
                .prop_map(Value::Array)
                .boxed(),
        ),
    ]))
}

/// Whether every item of `value["any"]` is a scalar: items that are arrays
/// or objects are left to the validator.
fn scalar_items(value: &Value) -> bool {
    value["any"].as_array().is_some_and(|items| {
        items
            .iter()
            .all(|item| !item.is_array() && !item.is_object())
    })
}

#[test]
fn unique_items_decide_like_the_schema() {
    let decoder = Decoder::<Distinct>::with_schema(distinct_schema(), 64).expect("schema compiles");
    let tally = differential("Distinct", &decoder, distinct(), |value| {
        scalar_items(value) && !has_integral_float(&value["ids"])
    });
    check_both_outcomes("Distinct", &tally);
}

/// Integers and floats under integral and fractional `multipleOf`.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Steps {
    pack: u32,
    half: f64,
    tenth: f64,
    wide: i64,
}

fn steps_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "pack": {"type": "integer", "minimum": 0, "maximum": 1000, "multipleOf": 5},
            "half": {"type": "number", "multipleOf": 0.5},
            "tenth": {"type": "number", "multipleOf": 0.1, "maximum": 10},
            "wide": {"type": "integer", "multipleOf": 3, "minimum": -1000, "maximum": 1000}
        },
        "required": ["pack", "half", "tenth", "wide"]
    })
}

/// Numbers near multiples: integers, tenths, quarters, and the numbers
/// JSON Schema and serde disagree about.
fn near_multiples() -> BoxedStrategy<Value> {
    prop_oneof![
        4 => (-40i64..40).prop_map(Value::from),
        3 => (-400i64..400).prop_map(|tenths| Value::from(tenths as f64 / 10.0)),
        2 => (-80i64..80).prop_map(|quarters| Value::from(quarters as f64 / 4.0)),
        1 => Just(json!(0.30000000000000004)),
        1 => Just(json!(1e-320)),
        // Around the bound of the plan's own check for divisors 2^-k.
        1 => prop_oneof![
            Just(json!(16_777_215.5)),
            Just(json!(16_777_216.5)),
            Just(json!(549_755_813_888.0 + 0.000_976_562_5)),
            Just(json!(-0.0)),
        ],
        1 => number(),
    ]
    .boxed()
}

#[test]
fn multiple_of_decides_like_the_schema() {
    let decoder = Decoder::<Steps>::with_schema(steps_schema(), 64).expect("schema compiles");
    // Mostly multiples, so that all four often hold at once.
    let multiple_or_near = |step: f64| -> BoxedStrategy<Value> {
        prop_oneof![
            6 => (-40i64..40).prop_map(move |n| {
                let value = n as f64 * step;
                if step.fract() == 0.0 { Value::from(value as i64) } else { Value::from(value) }
            }),
            1 => near_multiples(),
        ]
        .boxed()
    };
    let steps = perturbed(object(vec![
        ("pack", multiple_or_near(5.0)),
        ("half", multiple_or_near(0.5)),
        ("tenth", multiple_or_near(0.1)),
        ("wide", multiple_or_near(3.0)),
    ]));
    let tally = differential("Steps", &decoder, steps, |value| {
        !has_integral_float(&value["pack"]) && !has_integral_float(&value["wide"])
    });
    check_both_outcomes("Steps", &tally);
}

/// A struct whose schema is composed with `allOf`.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Composed {
    name: String,
    score: u32,
    active: bool,
    note: Option<String>,
}

fn composed_schema() -> Value {
    json!({
        "type": "object",
        "properties": {"active": {"type": "boolean"}},
        "required": ["active"],
        "allOf": [
            {
                "type": "object",
                "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 3}},
                "required": ["name"]
            },
            {
                "properties": {
                    "score": {"type": "integer", "minimum": 0, "maximum": 10},
                    "note": {"type": ["string", "null"], "maxLength": 2}
                },
                "required": ["score"],
                "maxProperties": 4
            },
            {"properties": {"name": true}, "minProperties": 0}
        ]
    })
}

#[test]
fn all_of_decides_like_the_schema() {
    let decoder = Decoder::<Composed>::with_schema(composed_schema(), 64).expect("schema compiles");
    assert!(
        !decoder.has_fast_path(),
        "`minProperties` is not a plan keyword"
    );
    // Without the branch the plan cannot merge, it has a fast path.
    let mut schema = composed_schema();
    schema["allOf"].as_array_mut().expect("allOf").pop();
    let decoder = Decoder::<Composed>::with_schema(schema, 64).expect("schema compiles");
    let composed = perturbed(object(vec![
        ("name", text(4).prop_map(Value::from).boxed()),
        ("score", around(-1, 12)),
        (
            "active",
            prop_oneof![4 => any::<bool>().prop_map(Value::from), 1 => number()].boxed(),
        ),
        (
            "note",
            prop_oneof![Just(Value::Null), text(3).prop_map(Value::from)].boxed(),
        ),
    ]));
    let tally = differential("Composed", &decoder, composed, |value| {
        !has_integral_float(value)
    });
    check_both_outcomes("Composed", &tally);
}

/// An untagged enum whose variants are told apart by their JSON types.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum Cell {
    Count(#[schemars(range(max = 100))] u32),
    Text(#[schemars(length(max = 3))] String),
    Point { x: f64, y: f64 },
    Flag(bool),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Row {
    #[schemars(length(max = 4))]
    cells: Vec<Cell>,
    head: Option<Cell>,
}

fn cell() -> BoxedStrategy<Value> {
    prop_oneof![
        3 => around(-2, 102),
        3 => text(4).prop_map(Value::from),
        2 => (float(), float()).prop_map(|(x, y)| json!({"x": x, "y": y})),
        1 => float().prop_map(|x| json!({"x": x})),
        2 => any::<bool>().prop_map(Value::from),
        1 => Just(Value::Null),
        1 => any_json(),
    ]
    .boxed()
}

fn row() -> impl Strategy<Value = Value> {
    perturbed(object(vec![
        (
            "cells",
            prop::collection::vec(cell(), 0..=5)
                .prop_map(Value::Array)
                .boxed(),
        ),
        (
            "head",
            prop_oneof![1 => Just(Value::Null), 3 => cell()].boxed(),
        ),
    ]))
}

#[test]
fn untagged_unions_decide_like_the_schema() {
    let decoder = decoder_of::<Row>();
    assert!(
        decoder.schema().to_string().contains("anyOf"),
        "{}",
        decoder.schema()
    );
    let tally = differential("Row", &decoder, row(), |value| !has_integral_float(value));
    check_both_outcomes("Row", &tally);
}

/// Formats the plan checks by its own rule, side by side in one struct.
#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Endpoint {
    #[schemars(extend("format" = "uuid"))]
    id: String,
    #[schemars(extend("format" = "ipv4"))]
    v4: String,
    #[schemars(extend("format" = "ipv6"))]
    v6: String,
    #[schemars(extend("format" = "date-time"))]
    at: String,
}

fn endpoint() -> impl Strategy<Value = Value> {
    let text_of = |valid: &'static str, other: &'static str| -> BoxedStrategy<Value> {
        prop_oneof![
            4 => valid.prop_map(Value::from),
            2 => other.prop_map(Value::from),
            1 => text(5).prop_map(Value::from),
        ]
        .boxed()
    };
    perturbed(object(vec![
        (
            "id",
            text_of(
                "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
                "[0-9a-gA-G-]{30,38}|\\{[0-9a-f-]{36}\\}|[0-9a-f]{32}",
            ),
        ),
        (
            "v4",
            text_of(
                "(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}",
                "[0-9]{1,4}(\\.[0-9]{1,4}){2,4}|0[0-9]\\.1\\.1\\.1",
            ),
        ),
        (
            "v6",
            text_of(
                "([0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|::([0-9a-f]{1,4})?|[0-9a-f]{1,4}::[0-9a-f]{1,4}",
                "[0-9a-f:.]{2,20}|::ffff:1\\.2\\.3\\.4",
            ),
        ),
        (
            "at",
            text_of(
                "20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T[01][0-9]:[0-5][0-9]:[0-6][0-9](\\.[0-9]{1,3})?(Z|[+-][01][0-9]:[0-5][0-9])",
                "20[0-9]{2}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}[zZ]?",
            ),
        ),
    ]))
}

#[test]
fn natively_checked_formats_decide_like_the_schema() {
    let decoder = decoder_of::<Endpoint>();
    let schema = decoder.schema().to_string();
    for format in ["uuid", "ipv4", "ipv6", "date-time"] {
        assert!(
            schema.contains(&format!("\"format\":\"{format}\"")),
            "{schema}"
        );
    }
    let tally = differential("Endpoint", &decoder, endpoint(), |_| true);
    check_both_outcomes("Endpoint", &tally);
}

/// One string under `format`, decided by the plan's own check of that
/// format (no validator behind it, see `plan::formats`).
fn format_decoder(format: &str) -> Decoder<String> {
    Decoder::with_schema(json!({"type": "string", "format": format}), 64).expect("compiles")
}

/// Strings built from `pieces`, each piece drawn from its own choices: a
/// shape the format accepts, with each part also drawn wrong at times.
fn joined(pieces: Vec<BoxedStrategy<String>>) -> BoxedStrategy<Value> {
    pieces
        .into_iter()
        .fold(Just(String::new()).boxed(), |acc, piece| {
            (acc, piece).prop_map(|(a, b)| a + &b).boxed()
        })
        .prop_map(Value::from)
        .boxed()
}

/// One of `regexes`, the first (the usual shape) most often.
fn choice(regexes: &[&'static str]) -> BoxedStrategy<String> {
    let strategies: Vec<(u32, BoxedStrategy<String>)> = regexes
        .iter()
        .enumerate()
        .map(|(at, &regex)| {
            let weight = if at == 0 { 16 } else { 1 };
            (weight, regex.prop_map(|s: String| s).boxed())
        })
        .collect();
    proptest::strategy::Union::new_weighted(strategies).boxed()
}

/// Dates: leap years (2000, 1900, 2024), month and day edges.
fn date_pieces() -> Vec<BoxedStrategy<String>> {
    vec![
        choice(&[
            "2000|1900|2024|2023|0000|9999",
            "[0-9]{4}",
            "[0-9]{3}|[0-9]{2}x[0-9]",
        ]),
        choice(&["-", "-", "-", "-", "-", "_|--"]),
        choice(&["0[1-9]|1[0-2]", "0[1-9]|1[0-2]", "00|13|[0-9]"]),
        choice(&["-", "-", "-", "-", "-", "/"]),
        choice(&["0[1-9]|1[0-9]|2[0-8]", "29|30|31", "00|32|[0-9]"]),
    ]
}

/// Times: leap seconds (valid only at 23:59:60 UTC, so also at 15:59:60
/// at `-08:00`), fractions, `Z`/`z` and offsets at their edges.
fn time_pieces() -> Vec<BoxedStrategy<String>> {
    vec![
        choice(&["[01][0-9]|2[0-3]", "23|15|00", "24|[0-9]"]),
        choice(&[":", ":", ":", "."]),
        choice(&["[0-5][0-9]", "59|00", "60|[0-9]"]),
        choice(&[":", ":", ":", ""]),
        choice(&["[0-5][0-9]", "60", "61|[0-9]"]),
        choice(&["", "", "\\.[0-9]{1,9}", "\\.", "\\.x"]),
        choice(&[
            "Z|z",
            "[+-](0[0-9]|1[0-9]|2[0-3]):[0-5][0-9]",
            "-08:00|\\+01:00|\\+00:00|-00:01",
            "[+-](24|[0-9]{2}):(60|[0-9]{2})|\\+0100|\\+01|Zz|",
        ]),
    ]
}

fn date_time_strategy() -> BoxedStrategy<Value> {
    let mut pieces = date_pieces();
    pieces.push(choice(&["T", "t", "T", " |_|Tt"]));
    pieces.extend(time_pieces());
    joined(pieces)
}

/// Host names: plain labels, hyphens at the edges and at the third and
/// fourth bytes, A-labels that decode or not, lengths at the limits.
fn host() -> BoxedStrategy<String> {
    let label = choice(&[
        "[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?",
        "[A-Z0-9]{1,4}",
        "xn--[a-z0-9]{2,8}|xn--nxasmq6b|xn--bcher-kva|xn--zz|xn---a|xn--ls8h",
        "ab--c|-a|a-|a_b|é|",
        "a{63}|a{64}",
    ]);
    prop::collection::vec(label, 1..=4)
        .prop_map(|labels| labels.join("."))
        .boxed()
}

fn hostname_strategy() -> BoxedStrategy<Value> {
    prop_oneof![
        6 => host().prop_map(Value::from),
        1 => host().prop_map(|h| Value::from(h + ".")),
        1 => "[a-z.]{250,256}".prop_map(Value::from),
    ]
    .boxed()
}

/// Emails: dot-atoms, quoted local parts (empty, with spaces and escapes,
/// non-ASCII), display text, IP-literal domains, and the host names above.
fn email_strategy() -> BoxedStrategy<Value> {
    let local = choice(&[
        "[a-z0-9]{1,6}(\\.[a-z0-9_+-]{1,4}){0,2}",
        "[!#$%&'*+/=?^_`{|}~a-z-]{1,6}",
        "\"\"|\"a b\"|\"a\\\\\"b\"|\"a@b\"|\"é\"|\"",
        "\\.a|a\\.|a\\.\\.b|é|a b|<a|a{64}|a{65}",
        "Name <a|\"Q\" <a",
    ]);
    let domain = prop_oneof![
        5 => host(),
        2 => Just("[127.0.0.1]".to_owned()),
        1 => choice(&["\\[IPv6:::1\\]|\\[ipv6:fe80::1\\]|\\[IPv6:1.2.3.4\\]|\\[1.2.3\\]|\\[::1\\]|\\[a\\]"]),
    ]
    .boxed();
    joined(vec![
        local,
        choice(&["@", "@", "@", "@@|"]),
        domain,
        choice(&["", "", "", ">|\\.| "]),
    ])
}

/// URIs and references: schemes, authorities with user information, ports
/// and IP literals, percent-encodings sound and broken, relative forms,
/// spaces and non-ASCII (which `iri` allows).
fn uri_strategy() -> BoxedStrategy<Value> {
    joined(vec![
        choice(&[
            "https?:|urn:|mailto:|a\\+b\\.c-d:",
            "[a-z][a-z0-9+.-]{0,4}:",
            "|1a:|:|é:",
        ]),
        choice(&[
            "//[a-z0-9.-]{0,8}",
            "//[a-z]{1,4}@[a-z.]{1,6}|//[a-z]{1,3}:[a-z]{0,3}@h",
            "//[a-z.]{1,6}:[0-9]{0,5}|//h:x|//h:1:2",
            "//\\[::1\\]|//\\[v1\\.x\\]|//\\[1\\.2\\.3\\.4\\]|//\\[::1|//\\[zz\\]",
            "",
        ]),
        choice(&[
            "(/[a-z0-9._~!$&'()*+,;=:@-]{0,5}){0,3}",
            "[a-z]{1,3}(/[a-z]{0,3}){0,2}|a:b|\\./a|\\.\\./b",
            "/%[0-9A-Fa-f]{2}|/%[0-9]|/%zz|/ |/é|/\\[|/\\\\",
        ]),
        choice(&["", "\\?[a-z=&/?:@]{0,6}", "\\?%2|\\?\\[|\\? "]),
        choice(&["", "#[a-z/?]{0,4}", "##|#%|#é|# "]),
    ])
}

fn duration_strategy() -> BoxedStrategy<Value> {
    joined(vec![
        choice(&["P", "P", "P", "|p|PP"]),
        choice(&["([0-9]{1,2}[YMWD]){0,3}", "[0-9]W|1Y1D|1D1Y|1M1M", ""]),
        choice(&["", "T([0-9]{1,2}[HMS]){0,3}", "T|T1H1S|T1S1H|1H"]),
    ])
}

fn pointer_strategy() -> BoxedStrategy<Value> {
    joined(vec![
        choice(&["", "[0-9]{1,2}", "0|00|01|-1"]),
        choice(&["(/([a-z]|~0|~1){0,3}){0,3}", "#|/#|~|/~|/~2|/~01|a"]),
    ])
}

fn template_strategy() -> BoxedStrategy<Value> {
    joined(vec![
        choice(&["[a-z/:.]{0,6}", "%2F|%2|%zz| |<|\\^|'"]),
        choice(&[
            "\\{[+#./;?&=,!@|]?[a-z_]{1,3}(\\.[a-z]{1,2})?(:[1-9][0-9]{0,3}|\\*)?(,[a-z]{1,2})?\\}",
            "\\{\\}|\\{|\\}|\\{a|\\{a:0\\}|\\{a:10000\\}|\\{%2Fa\\}|\\{a\\.\\}|\\{\\$\\}",
            "",
        ]),
        choice(&["[a-z/]{0,3}", "\\}|"]),
    ])
}

#[test]
fn every_natively_checked_format_decides_like_the_schema() {
    let cases: Vec<(&str, BoxedStrategy<Value>)> = vec![
        ("date", joined(date_pieces())),
        ("time", joined(time_pieces())),
        ("date-time", date_time_strategy()),
        ("email", email_strategy()),
        ("hostname", hostname_strategy()),
        ("uri", uri_strategy()),
        ("uri-reference", uri_strategy()),
        ("iri", uri_strategy()),
        ("iri-reference", uri_strategy()),
        ("duration", duration_strategy()),
        ("json-pointer", pointer_strategy()),
        ("relative-json-pointer", pointer_strategy()),
        ("uri-template", template_strategy()),
    ];
    for (format, strategy) in cases {
        let decoder = format_decoder(format);
        let tally = differential(format, &decoder, strategy, |_| true);
        check_both_outcomes(format, &tally);
    }
}
