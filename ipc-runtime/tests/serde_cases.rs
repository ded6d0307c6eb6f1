//! The schemas capture exactly what serde puts on the wire, per direction,
//! and validate real payloads the way serde reads them. The contracts are
//! the serde cases fixture (`ipc-codegen/tests/fixtures/serde-cases`), the
//! one set of serde forms that the runtime's and the code generator's
//! tests share; its manifest is `ipc-codegen/tests/fixtures/serde-cases-manifest.json`.

use ipc_runtime::{CollectManifest, Manifest};
use serde_cases_contracts::{Everything, sample_everything};
use serde_json::{Value, json};

fn manifest() -> Manifest {
    Manifest::collect().expect("the serde cases have no conflicts")
}

fn input_def<'m>(manifest: &'m Manifest, name: &str) -> &'m Value {
    manifest
        .input_definitions
        .get(name)
        .unwrap_or_else(|| panic!("input definition {name}"))
}

fn output_def<'m>(manifest: &'m Manifest, name: &str) -> &'m Value {
    manifest
        .output_definitions
        .get(name)
        .unwrap_or_else(|| panic!("output definition {name}"))
}

fn keys(object: &Value) -> Vec<&str> {
    object
        .as_object()
        .map(|map| map.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

fn required(schema: &Value) -> Vec<&str> {
    schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

struct Validators {
    payload: jsonschema::Validator,
    response: Option<jsonschema::Validator>,
}

fn validators(channel: &str) -> Validators {
    let manifest = manifest();
    let contract = manifest.contract(channel).expect("contract");
    let compile = |schema: &Value| jsonschema::validator_for(schema).expect("schema compiles");
    Validators {
        payload: compile(&manifest.payload_root_schema(contract)),
        response: manifest
            .response_root_schema(contract)
            .as_ref()
            .map(compile),
    }
}

fn with_change(base: &Value, pointer: &str, replacement: Value) -> Value {
    let mut value = base.clone();
    *value
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("pointer {pointer}")) = replacement;
    value
}

fn sample() -> Value {
    serde_json::to_value(sample_everything()).expect("serializes")
}

#[test]
fn renames_are_applied() {
    let manifest = manifest();
    let everything = keys(&input_def(&manifest, "Everything")["properties"]);
    for name in ["ID", "signed", "nestedOption", "byColor", "createdBy"] {
        assert!(everything.contains(&name), "{name} in {everything:?}");
    }
    assert_eq!(
        input_def(&manifest, "Color")["enum"],
        json!(["light-red", "GREEN", "blue"])
    );
}

#[test]
fn enums_have_each_representation() {
    let manifest = manifest();
    let shape = input_def(&manifest, "Shape");
    let variants = shape["oneOf"].as_array().expect("oneOf");
    assert!(
        variants
            .iter()
            .any(|v| v["const"] == "Empty" || v["enum"] == json!(["Empty"]))
    );
    for data in ["Circle", "Square", "Line"] {
        assert!(variants.iter().any(|v| required(v) == [data]), "{data}");
    }

    let animal = input_def(&manifest, "Animal");
    let tags: Vec<&Value> = animal["oneOf"]
        .as_array()
        .expect("oneOf")
        .iter()
        .map(|v| &v["properties"]["kind"]["const"])
        .collect();
    assert_eq!(tags, [&json!("dog"), &json!("cat"), &json!("fish")]);

    let message = input_def(&manifest, "Message");
    let adjacent = message["oneOf"].as_array().expect("oneOf");
    assert_eq!(adjacent[0]["properties"]["t"]["const"], "Text");
    assert_eq!(required(&adjacent[0]), ["t", "c"]);
    assert_eq!(required(&adjacent[2]), ["t"]);

    let scalar = input_def(&manifest, "Scalar");
    assert_eq!(
        scalar["anyOf"].as_array().expect("untagged is anyOf").len(),
        3
    );
}

#[test]
fn flatten_merges_fields() {
    let manifest = manifest();
    let everything = input_def(&manifest, "Everything");
    let fields = keys(&everything["properties"]);
    assert!(fields.contains(&"createdBy") && fields.contains(&"revision"));
    assert!(required(everything).contains(&"createdBy"));
    // A flattened map: the other keys.
    let log = input_def(&manifest, "LogLine");
    assert_eq!(log["additionalProperties"], json!({"type": "string"}));
}

#[test]
fn optionality_differs_per_direction() {
    let manifest = manifest();
    let input = input_def(&manifest, "Settings");
    let output = output_def(&manifest, "Settings");
    assert!(
        required(input).is_empty(),
        "every field may be absent on input: {input}"
    );
    assert_eq!(
        required(output),
        ["verbose", "limit"],
        "theme and plugins are skipped: {output}"
    );
    // Skipped when None, so never null when present; `limit` is always
    // written, possibly as null.
    assert_eq!(output["properties"]["theme"]["type"], json!("string"));
    assert_eq!(
        input["properties"]["theme"]["type"],
        json!(["string", "null"])
    );
    assert_eq!(
        output["properties"]["limit"]["type"],
        json!(["integer", "null"])
    );
}

#[test]
fn collections_tuples_and_newtypes() {
    let manifest = manifest();
    let properties = &input_def(&manifest, "Everything")["properties"];
    assert_eq!(properties["list"]["items"]["$ref"], "#/$defs/Point");
    assert_eq!(
        properties["byName"]["additionalProperties"]["$ref"],
        "#/$defs/Point"
    );
    // Enum keys: a closed object with one optional property per key.
    assert_eq!(
        keys(&properties["byColor"]["properties"]),
        ["GREEN", "blue", "light-red"]
    );
    assert_eq!(properties["byColor"]["additionalProperties"], json!(false));
    // Integer keys: canonical decimals.
    assert_eq!(
        keys(&properties["byId"]["patternProperties"]),
        [ipc_runtime::schema::UNSIGNED_KEY_PATTERN]
    );
    assert_eq!(
        properties["pair"]["prefixItems"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(input_def(&manifest, "Meters")["type"], "number");
    assert_eq!(
        input_def(&manifest, "Point")["prefixItems"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

#[test]
fn integers_carry_their_rust_bounds() {
    let manifest = manifest();
    let properties = &input_def(&manifest, "Everything")["properties"];
    assert_eq!(
        properties["ID"]["maximum"],
        json!(9_007_199_254_740_991_i64)
    );
    assert_eq!(
        properties["signed"]["minimum"],
        json!(-9_007_199_254_740_991_i64)
    );
    assert_eq!(properties["small"]["maximum"], json!(65_535));
    assert_eq!(properties["revision"]["maximum"], json!(4_294_967_295_u64));
    let point = &input_def(&manifest, "Point")["prefixItems"][0];
    assert_eq!(point["minimum"], json!(i32::MIN));
    assert_eq!(point["maximum"], json!(i32::MAX));
    assert_eq!(
        properties["ratio"]["exclusiveMaximum"],
        json!(ipc_runtime::schema::F32_OVERFLOW)
    );
}

#[test]
fn wide_integers_are_limited_to_safe_integers() {
    let validators = validators("cases:everything");
    let sample = sample();
    assert!(validators.payload.is_valid(&sample));
    let too_big = 9_007_199_254_740_993_u64; // 2^53 + 1
    let payload = with_change(&sample, "/ID", json!(too_big));
    assert!(!validators.payload.is_valid(&payload));
    let payload = with_change(&sample, "/signed", json!(-9_007_199_254_740_993_i64));
    assert!(!validators.payload.is_valid(&payload));
    // ... while serde alone would have accepted it silently.
    let payload = with_change(&sample, "/ID", json!(too_big));
    assert!(serde_json::from_value::<Everything>(payload).is_ok());

    let mut outgoing = sample_everything();
    outgoing.id = too_big;
    let response = serde_json::to_value(outgoing).expect("serializes");
    assert!(
        !validators
            .response
            .expect("invoke has a response")
            .is_valid(&response)
    );
}

#[test]
fn shared_generic_and_recursive_types() {
    let manifest = manifest();
    let point_definitions = manifest
        .output_definitions
        .keys()
        .filter(|name| name.starts_with("Point"))
        .count();
    assert_eq!(point_definitions, 1, "Point is defined once");
    // Two instantiations in one direction get distinct, deterministic names.
    let output_pages: Vec<&String> = manifest
        .output_definitions
        .keys()
        .filter(|name| name.starts_with("Page"))
        .collect();
    assert_eq!(output_pages, ["Page", "Page2"]);
    assert_eq!(
        output_def(&manifest, "Page")["properties"]["items"]["items"]["$ref"],
        "#/$defs/Tree"
    );
    assert_eq!(
        output_def(&manifest, "Page2")["properties"]["items"]["items"]["$ref"],
        "#/$defs/Point"
    );
    let tree = output_def(&manifest, "Tree");
    assert_eq!(
        tree["properties"]["children"]["items"]["$ref"],
        "#/$defs/Tree"
    );
}

#[test]
fn samples_validate_and_invalid_payloads_are_rejected() {
    let validators = validators("cases:everything");
    let sample = sample();
    assert!(
        validators
            .response
            .as_ref()
            .expect("response")
            .is_valid(&sample)
    );
    assert!(validators.payload.is_valid(&sample));
    // Input may omit what serde defaults.
    let sparse = with_change(&sample, "/settings", json!({}));
    assert!(validators.payload.is_valid(&sparse));
    assert!(serde_json::from_value::<Everything>(sparse).is_ok());

    let invalid = [
        ("/color", json!("purple")),
        ("/animal", json!({"kind": "bird"})),
        ("/animal", json!({"kind": "dog"})),
        ("/message", json!({"t": "Text", "c": 5})),
        ("/shape", json!("Other")),
        ("/shape", json!({"Square": "x"})),
        ("/scalar", json!(null)),
        ("/pair", json!(["p"])),
        ("/byColor", json!({"purple": 1})),
        ("/byId", json!({"01": "x"})),
        ("/small", json!(65_536)),
        ("/point", json!([1])),
    ];
    for (pointer, replacement) in invalid {
        let payload = with_change(&sample, pointer, replacement.clone());
        assert!(
            !validators.payload.is_valid(&payload),
            "{pointer} = {replacement} must be rejected"
        );
        assert!(
            serde_json::from_str::<Everything>(&payload.to_string()).is_err(),
            "serde rejects {pointer} = {replacement} too"
        );
    }
}

#[test]
fn other_contract_kinds_validate_their_payloads() {
    let log = validators("cases:log");
    assert!(log.payload.is_valid(&json!({"text": "t", "level": "info"})));
    assert!(!log.payload.is_valid(&json!({"text": "t", "count": 1})));

    let seen = validators("cases:animalSeen");
    assert!(
        seen.payload
            .is_valid(&json!({"animal": {"kind": "fish"}, "at": [0, 0]}))
    );
    assert!(
        !seen
            .payload
            .is_valid(&json!({"animal": {"kind": "cat"}, "at": [0, 0]}))
    );

    let ping = validators("cases:ping");
    assert!(ping.payload.is_valid(&json!(null)));
    assert!(
        ping.response
            .expect("response")
            .is_valid(&json!(9_007_199_254_740_991_u64))
    );
}
