//! Unit tests of the plan: what compiles, and decisions at the edges.

use super::node::*;
use super::watchers::same;
use super::*;
use std::cmp::Ordering;

use serde::Deserialize;
use serde_json::{Number, json};

fn plan(schema: Value) -> Option<Plan> {
    Plan::compile(&schema, &crate::validation::options())
}

#[derive(Debug, Deserialize, PartialEq)]
struct Point {
    x: u8,
    y: Option<f64>,
}

#[test]
fn structs_given_as_arrays_are_rejected() {
    let plan = plan(json!({
        "type": "object",
        "properties": {"x": {"type": "integer", "minimum": 0, "maximum": 255}, "y": {"type": ["number", "null"]}},
        "required": ["x"]
    }))
    .expect("plan");
    assert_eq!(
        plan.decode::<Point>(br#"{"x": 3}"#, 8),
        Some(Point { x: 3, y: None })
    );
    assert_eq!(
        plan.decode::<Point>(br#"{"x": 3.0, "y": 1}"#, 8),
        Some(Point { x: 3, y: Some(1.0) })
    );
    assert_eq!(plan.decode::<Point>(b"[3, null]", 8), None);
    assert_eq!(plan.decode::<Point>(br#"{"x": 3.5}"#, 8), None);
}

#[derive(Debug, Deserialize, PartialEq)]
enum Shape {
    Circle { r: f64 },
    Square(u8),
    Empty,
}

#[test]
fn externally_tagged_enums_take_strings_for_unit_variants_and_objects_for_data() {
    let plan = plan(json!({
        "oneOf": [
            {"type": "string", "enum": ["Empty"]},
            {
                "type": "object",
                "properties": {"Circle": {
                    "type": "object",
                    "properties": {"r": {"type": "number", "minimum": 0}},
                    "required": ["r"]
                }},
                "required": ["Circle"],
                "additionalProperties": false
            },
            {
                "type": "object",
                "properties": {"Square": {"type": "integer", "minimum": 0, "maximum": 9}},
                "required": ["Square"],
                "additionalProperties": false
            }
        ]
    }))
    .expect("plan");
    let decode = |json: &str| plan.decode::<Shape>(json.as_bytes(), 8);
    assert_eq!(decode(r#""Empty""#), Some(Shape::Empty));
    assert_eq!(decode(r#"{"Square": 3}"#), Some(Shape::Square(3)));
    assert_eq!(
        decode(r#"{"Circle": {"r": 1.5}}"#),
        Some(Shape::Circle { r: 1.5 })
    );
    // What serde would take and the schema does not, and the plan's own
    // constraints: left to the validator.
    for refused in [
        r#"{"Empty": null}"#,
        r#""Circle""#,
        r#"{"Square": 12}"#,
        r#"{"Circle": {"r": -1}}"#,
        r#"{"Square": 3, "Circle": {"r": 1}}"#,
        r#"{}"#,
        r#"["Square", 3]"#,
    ] {
        assert_eq!(decode(refused), None, "{refused}");
    }
    // Each object level counts toward the depth limit.
    assert_eq!(plan.decode::<Shape>(br#"{"Circle": {"r": 1}}"#, 1), None);
    assert!(
        plan.decode::<Shape>(br#"{"Circle": {"r": 1}}"#, 2)
            .is_some()
    );
}

#[test]
fn key_comparison_sees_every_byte() {
    for len in 0..=40 {
        let a: String = (0..len)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        assert!(same(&a, &a.clone()), "{a}");
        for at in 0..len {
            let mut b = a.clone().into_bytes();
            b[at] = b'_';
            let b = String::from_utf8(b).expect("ascii");
            assert!(!same(&a, &b), "{a} vs {b}");
        }
        assert!(!same(&a, &format!("{a}x")));
    }
}

#[test]
fn exact_numeric_bounds() {
    assert_eq!(
        compare_integer_float(9_007_199_254_740_993, 9_007_199_254_740_992.0),
        Some(Ordering::Greater)
    );
    assert_eq!(compare_integer_float(3, 3.5), Some(Ordering::Less));
    assert_eq!(compare_integer_float(-3, -3.5), Some(Ordering::Greater));
    assert_eq!(compare_integer_float(4, 4.0), Some(Ordering::Equal));
}

/// The integer ranges decide like the exact comparison (and the
/// safe-integer policy), for integer and fractional bounds, inclusive
/// and exclusive, near every edge.
#[test]
fn integer_ranges_match_exact_bounds() {
    let bounds = [
        json!(0),
        json!(-3),
        json!(7),
        json!(2.5),
        json!(-2.5),
        json!(3.0),
        json!(9_007_199_254_740_992.0),
        json!(18_446_744_073_709_551_615_u64),
        json!(-9_223_372_036_854_775_808_i64),
        json!(1e300),
        json!(-1e300),
    ];
    let values: Vec<i128> = [
        0,
        1,
        -1,
        2,
        3,
        4,
        -2,
        -3,
        -4,
        6,
        7,
        8,
        9_007_199_254_740_991,
        9_007_199_254_740_992,
        9_007_199_254_740_993,
        i128::from(i64::MIN),
        i128::from(i64::MIN) + 1,
        i128::from(i64::MAX),
        i128::from(u64::MAX),
        i128::from(u64::MAX) - 1,
    ]
    .to_vec();
    let keywords = ["minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"];
    let mut schemas = vec![json!({"type": "integer"}), json!({"type": "string"})];
    for (i, first) in keywords.iter().enumerate() {
        for bound in &bounds {
            schemas.push(json!({"type": "integer", *first: bound}));
            for second in &keywords[i + 1..] {
                for other in &bounds {
                    schemas.push(json!({"type": "number", *first: bound, *second: other}));
                }
            }
        }
    }
    for schema in schemas {
        let plan = plan(schema.clone()).expect("plan");
        let node = &plan.nodes[plan.root];
        for &value in &values {
            // The ranges also hold the safe-integer policy.
            let exact = node.types & (INTEGER | NUMBER) != 0
                && number_ok(node, Num::from_i128(value))
                && value.unsigned_abs() <= MAX_SAFE_INTEGER.unsigned_abs().into();
            let by_range = match (u64::try_from(value), i64::try_from(value)) {
                (Ok(n), _) => node.unsigned_range.0 <= n && n <= node.unsigned_range.1,
                (_, Ok(n)) => node.signed_range.0 <= n && n <= node.signed_range.1,
                _ => unreachable!("every test value is a 64-bit integer"),
            };
            assert_eq!(by_range, exact, "{value} against {schema}");
        }
    }
}

#[test]
fn unsupported_keywords_give_no_plan() {
    assert!(plan(json!({"type": "string", "pattern": "^a"})).is_some());
    assert!(plan(json!({"type": "string", "format": "email"})).is_some());
    assert!(plan(json!({"type": "integer", "format": "uint64"})).is_some());
    assert!(plan(json!({"type": "string", "pattern": "("})).is_none());
    assert!(plan(json!({"type": "array", "uniqueItems": true})).is_some());
    assert!(plan(json!({"type": "number", "multipleOf": 0.5})).is_some());
    assert!(plan(json!({"type": "number", "multipleOf": 0})).is_none());
    assert!(
        plan(json!({"type": "array", "prefixItems": [{"type": "string"}], "maxItems": 1}))
            .is_some()
    );
    assert!(plan(json!({"anyOf": [{"type": "string"}, {"type": "integer"}]})).is_some());
    // Both branches allow integers: which one decides is not known up front.
    assert!(plan(json!({"anyOf": [{"type": "number"}, {"type": "integer"}]})).is_none());
    assert!(plan(json!({"oneOf": [{"type": "string"}, {}]})).is_none());
    assert!(plan(json!({"allOf": [{"minLength": 1}, {"maxLength": 3}]})).is_some());
    assert!(
        plan(json!({"allOf": [{"items": {"type": "string"}}, {"items": {"minLength": 1}}]}))
            .is_none()
    );
    assert!(plan(json!({"not": {"type": "string"}})).is_none());
    assert!(plan(json!({"$ref": "https://example.com/x"})).is_none());
}

#[test]
fn unique_items_tell_scalars_apart_and_leave_containers_to_the_validator() {
    let plan = plan(json!({"type": "array", "uniqueItems": true})).expect("plan");
    let decode = |json: &str| plan.decode::<Value>(json.as_bytes(), 8).is_some();
    assert!(decode(r#"[1, 2, "1", true, null, 1.5]"#));
    assert!(!decode("[1, 1]"));
    assert!(!decode("[1, 1.0]"));
    assert!(!decode("[0, -0.0]"));
    assert!(!decode(r#"["a", "b", "a"]"#));
    assert!(!decode("[null, null]"));
    // Decided by the validator, whatever the answer.
    assert!(!decode("[[1], [2]]"));
}

#[test]
fn disjoint_unions_check_each_type_against_its_branch() {
    let plan = plan(json!({"anyOf": [
        {"type": "string", "maxLength": 2},
        {"type": "integer", "minimum": 0, "multipleOf": 2},
        {"type": "object", "properties": {"x": {"type": "number"}}, "required": ["x"]}
    ]}))
    .expect("plan");
    let decode = |json: &str| plan.decode::<Value>(json.as_bytes(), 8).is_some();
    assert!(decode(r#""ab""#));
    assert!(!decode(r#""abc""#));
    assert!(decode("4"));
    assert!(!decode("3"));
    assert!(!decode("-2"));
    assert!(decode(r#"{"x": 1.5}"#));
    assert!(!decode("{}"));
    assert!(!decode("true"));
    assert!(!decode("1.5"));
}

#[test]
fn all_of_adds_every_branch() {
    let plan = plan(json!({
        "type": "object",
        "properties": {"a": {"type": "boolean"}},
        "allOf": [
            {"properties": {"b": {"type": "string", "minLength": 2}}, "required": ["b"]},
            {"properties": {"c": {"type": "integer"}}, "maxProperties": 2}
        ]
    }))
    .expect("plan");
    let decode = |json: &str| plan.decode::<Value>(json.as_bytes(), 8).is_some();
    assert!(decode(r#"{"b": "xy"}"#));
    assert!(decode(r#"{"b": "xy", "c": 3}"#));
    assert!(!decode(r#"{"b": "x"}"#));
    assert!(!decode(r#"{"a": true}"#));
    assert!(!decode(r#"{"a": true, "b": "xy", "c": 1}"#));
    assert!(!decode(r#"{"b": "xy", "c": "3"}"#));
}

/// The plan's own yes for divisors `2^-k` is always the validator's yes.
#[test]
fn dyadic_multiples_agree_with_the_validator() {
    let mut checked = 0;
    for k in 1..=8 {
        let multiple = 0.5_f64.powi(k);
        for n in -3000_i64..3000 {
            for base in [0.0, 1_000.0, 16_777_000.0, 16_777_216.0, 549_755_813_888.0] {
                for step in [1.0, 0.1, 0.001, 0.0009765625] {
                    let value = base + n as f64 * step * multiple;
                    let number = Number::from_f64(value).expect("finite");
                    if dyadic_multiple(value, multiple) {
                        checked += 1;
                        assert!(
                            jsonschema_value::numeric::is_multiple_of_float(&number, multiple),
                            "{value} by {multiple}"
                        );
                    }
                }
            }
        }
    }
    assert!(checked > 10_000, "{checked}");
}

#[test]
fn divisors_decide_like_the_validators_functions() {
    let divisors = [
        1.0,
        5.0,
        7.0,
        1024.0,
        9_007_199_254_740_992.0,
        9_007_199_254_740_994.0,
        0.5,
        0.25,
        0.015625,
        0.0078125,
        0.01,
        1.5,
        1e-7,
    ];
    let mut unsigned: Vec<u64> = (0..2000)
        .chain([u64::MAX, 1 << 53, (1 << 53) + 1])
        .collect();
    unsigned.extend((0..64).map(|shift| 1u64 << shift));
    let floats: Vec<f64> = (-3000..3000)
        .map(|n| f64::from(n) * 0.125)
        .chain([
            16_777_215.75,
            16_777_216.0,
            16_777_216.5,
            1e300,
            -1e-300,
            0.1,
            0.3,
        ])
        .collect();
    for multiple in divisors {
        let divisor = Divisor::new(multiple);
        for &value in &unsigned {
            assert_eq!(
                divisor.divides_unsigned(value),
                divides(&Number::from(value), multiple),
                "{value} by {multiple}"
            );
            let negative = (value as i64).wrapping_neg().min(-1);
            assert_eq!(
                divisor.divides_signed(negative),
                divides(&Number::from(negative), multiple),
                "{negative} by {multiple}"
            );
        }
        for &value in &floats {
            let number = Number::from_f64(value).expect("finite");
            assert_eq!(
                divisor.divides_float(value),
                divides(&number, multiple),
                "{value} by {multiple}"
            );
        }
    }
}

#[test]
fn the_plan_checks_every_format_the_validator_asserts_but_regex() {
    let options = crate::validation::options();
    let known = [
        "date",
        "date-time",
        "duration",
        "email",
        "hostname",
        "ipv4",
        "ipv6",
        "iri",
        "iri-reference",
        "json-pointer",
        "regex",
        "relative-json-pointer",
        "time",
        "uri",
        "uri-reference",
        "uri-template",
        "uuid",
    ];
    for name in known {
        assert!(
            options.is_known_format(jsonschema::Draft::Draft202012, name),
            "{name}"
        );
        assert_eq!(
            super::formats::check(name).is_some(),
            name != "regex",
            "{name}"
        );
    }
    // Without jsonschema's `idna` feature these are annotations; with it,
    // the plan would have to check them too.
    for name in ["idn-email", "idn-hostname", "uint64", "double"] {
        assert!(
            !options.is_known_format(jsonschema::Draft::Draft202012, name),
            "{name}"
        );
        assert!(super::formats::check(name).is_none(), "{name}");
    }
}

/// A node with divisors of several kinds: the loop over the integral (or
/// the `2^-k`) ones alone says no, and every divisor is then checked as the
/// validator checks it.
#[test]
fn mixed_divisors_decide_like_the_validator() {
    let schemas = [
        json!({"allOf": [{"multipleOf": 3}, {"multipleOf": 0.5}]}),
        json!({"allOf": [{"multipleOf": 0.25}, {"multipleOf": 0.1}]}),
        json!({"allOf": [{"multipleOf": 0.5}, {"multipleOf": 2}]}),
        json!({"allOf": [{"multipleOf": 4}, {"multipleOf": 6}]}),
    ];
    let values = [
        "0",
        "1",
        "2",
        "3",
        "4",
        "6",
        "12",
        "-6",
        "-12",
        "0.5",
        "1.5",
        "3.0",
        "0.1",
        "0.3",
        "0.25",
        "1.25",
        "2.5",
        "4.5",
        "-0.5",
        "16777216.5",
        "1e-320",
        "24",
        "36",
    ];
    for schema in schemas {
        let plan = plan(schema.clone()).expect("plan");
        let validator = crate::validation::compile_schema(&schema).expect("schema compiles");
        for text in values {
            let value: Value = serde_json::from_str(text).expect("json");
            assert_eq!(
                plan.decode::<Value>(text.as_bytes(), 8).is_some(),
                validator.is_valid(&value),
                "{text} under {schema}"
            );
        }
    }
}

/// Nodes whose integers are told apart inline by a [`Stride`] (one
/// integral divisor), or whose floats by their one `2^-k` divisor, decide
/// as the validator does (and keep the safe-integer policy), at the edges
/// of their ranges, of the divisors and of the 64-bit integers.
#[test]
fn inline_divisor_checks_decide_like_the_validator() {
    let schemas = [
        json!({"type": "integer", "multipleOf": 5, "minimum": 0, "maximum": 4_294_967_295_u64}),
        json!({"type": "integer", "multipleOf": 1}),
        json!({"type": "integer", "multipleOf": 1024, "minimum": -3000}),
        json!({"type": "integer", "multipleOf": 12, "exclusiveMinimum": 12, "maximum": 100}),
        json!({"type": "integer", "multipleOf": 1000, "minimum": 2500.5}),
        json!({"type": "integer", "multipleOf": 9_007_199_254_740_992_u64}),
        json!({"type": "integer", "multipleOf": 9_007_199_254_740_991_u64}),
        json!({"type": "integer", "multipleOf": 7, "minimum": 8, "maximum": 13}),
        json!({"type": "number", "multipleOf": 5}),
        json!({"multipleOf": 3}),
        json!({"type": "number", "multipleOf": 0.25}),
        json!({"type": "number", "multipleOf": 0.015625}),
        json!({"type": "number", "multipleOf": 0.5, "minimum": -1}),
        json!({"type": "number", "multipleOf": 0.5, "exclusiveMaximum": 2}),
        json!({"multipleOf": 0.25}),
        json!({"type": "integer", "multipleOf": 0.25}),
        json!({"type": "number", "multipleOf": 2.5}),
        json!({"type": "number", "multipleOf": 0.1}),
    ];
    let values = [
        "0",
        "-0",
        "0.0",
        "-0.0",
        "1",
        "3",
        "5",
        "-5",
        "7",
        "12",
        "24",
        "96",
        "108",
        "1000",
        "2000",
        "3000",
        "1024",
        "2048",
        "3072",
        "-1024",
        "-2048",
        "-3072",
        "4294967290",
        "4294967295",
        "4294967300",
        "9007199254740991",
        "9007199254740992",
        "9007199254740993",
        "18014398509481984",
        "18446744073709551615",
        "-9007199254740991",
        "-9007199254740992",
        "-9223372036854775807",
        "-9223372036854775808",
        "5.0",
        "12.0",
        "1E3",
        "0.25",
        "-0.25",
        "0.75",
        "1.5",
        "-1.5",
        "2.5",
        "7.5",
        "0.1",
        "0.3",
        "16777215.75",
        "16777216.25",
        "16777216.5",
        "1e300",
        "-1e300",
        "1e-300",
        "\"5\"",
        "null",
    ];
    let safe = u128::from(MAX_SAFE_INTEGER.unsigned_abs());
    for schema in schemas {
        let plan = plan(schema.clone()).expect("plan");
        let validator = crate::validation::compile_schema(&schema).expect("schema compiles");
        for text in values {
            let value: Value = serde_json::from_str(text).expect("json");
            let unsafe_integer = match &value {
                Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                    (Some(n), _) => u128::from(n) > safe,
                    (_, Some(n)) => u128::from(n.unsigned_abs()) > safe,
                    _ => false,
                },
                _ => false,
            };
            // An integral float beyond 64 bits where only integers are
            // allowed is left to the validator, as before any divisor.
            let wide_float = value
                .as_f64()
                .is_some_and(|f| f.abs() >= 9.2e18 && value.as_i64().is_none());
            let left_to_validator = wide_float && schema["type"] == "integer";
            let expected = !unsafe_integer && !left_to_validator && validator.is_valid(&value);
            assert_eq!(
                plan.decode::<Value>(text.as_bytes(), 8).is_some(),
                expected,
                "{text} under {schema}"
            );
        }
    }
}

/// The inline checks are set only for the shapes they are exact for.
#[test]
fn inline_divisor_checks_are_set_for_their_shapes_only() {
    let root = |schema: Value| {
        let plan = plan(schema).expect("plan");
        plan.nodes[plan.root].clone()
    };
    let five = root(json!({"type": "integer", "multipleOf": 5, "minimum": 0, "maximum": 100}));
    assert_eq!(five.unsigned_stride, super::stride::Stride::new(0, 100, 5));
    for schema in [
        json!({"type": "integer", "minimum": 0}),
        json!({"type": "integer", "multipleOf": 0.5}),
        json!({"allOf": [{"multipleOf": 3}, {"multipleOf": 5}]}),
        json!({"type": "integer", "multipleOf": 1e20}),
    ] {
        assert_eq!(
            root(schema.clone()).unsigned_stride,
            super::stride::Stride::NONE,
            "{schema}"
        );
    }
    assert_eq!(
        root(json!({"type": "number", "multipleOf": 0.25})).float_scale,
        4.0
    );
    for schema in [
        json!({"type": "number"}),
        json!({"type": "number", "multipleOf": 0.25, "minimum": 0}),
        json!({"type": "number", "multipleOf": 0.1}),
        json!({"type": "number", "multipleOf": 2}),
        json!({"type": "integer", "multipleOf": 0.25}),
        json!({"allOf": [{"multipleOf": 0.25}, {"multipleOf": 0.5}]}),
    ] {
        assert!(root(schema.clone()).float_scale.is_nan(), "{schema}");
    }
}

/// The integrality test of [`dyadic_divides`] (by rounding with `1.5 *
/// 2^52`) is `fract() == 0.0` for every value it is asked about, and NaN,
/// the scale of a node without the inline check, lets nothing in.
#[test]
fn dyadic_divides_tests_integrality_exactly() {
    let mut values: Vec<f64> = (-5000..5000).map(|n| f64::from(n) * 0.0078125).collect();
    for edge in [16_777_216.0_f64, 8_388_608.0, 1.0, 0.5] {
        for step in 0..8 {
            let ulp = f64::from(step) * edge * f64::EPSILON;
            values.extend([edge - ulp, edge + ulp, -edge + ulp, -edge - ulp]);
        }
    }
    values.extend([
        0.0,
        -0.0,
        1e300,
        -1e300,
        1e-300,
        f64::MIN_POSITIVE,
        5e-324,
        16_777_215.984_375,
        16_777_215.5,
        0.1,
        0.3,
        f64::MAX,
    ]);
    for scale in [2.0, 4.0, 8.0, 16.0, 32.0, 64.0] {
        for &value in &values {
            let exact = value.abs() < 16_777_216.0 && (value * scale).fract() == 0.0;
            assert_eq!(dyadic_divides(value, scale), exact, "{value} by 1/{scale}");
        }
    }
    for &value in &values {
        assert!(!dyadic_divides(value, f64::NAN), "{value}");
    }
}
