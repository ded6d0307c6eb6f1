//! The schemas capture exactly what serde puts on the wire, per direction,
//! and validate real payloads the way serde reads them.

// The contracts under test: one set covering every serde wire form.
mod cases {
    use std::collections::{BTreeMap, HashMap};

    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    /// Field and variant renames.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct Renamed {
        pub(crate) first_name: String,
        #[serde(rename = "ID")]
        pub(crate) id: u32,
    }

    /// Externally tagged (serde's default).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    pub(crate) enum External {
        Unit,
        Newtype(u32),
        Tuple(u8, String),
        Struct { flag: bool },
    }

    /// Internally tagged.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(tag = "type", rename_all = "snake_case")]
    pub(crate) enum Shape {
        Circle { radius: f64 },
        Rectangle { width: f64, height: f64 },
        Empty,
    }

    /// Adjacently tagged.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(tag = "t", content = "c")]
    pub(crate) enum Message {
        Text(String),
        Pair(u8, u8),
        Ping,
    }

    /// Untagged.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(untagged)]
    pub(crate) enum Loose {
        Number(i32),
        Text(String),
        Point { x: i32, y: i32 },
    }

    /// Unit-only: a string union.
    #[derive(
        Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
    )]
    #[serde(rename_all = "lowercase")]
    pub(crate) enum Color {
        Red,
        Green,
        Blue,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    pub(crate) struct Base {
        pub(crate) created_by: String,
    }

    /// `flatten` merges `Base`'s fields into this object.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    pub(crate) struct Flattened {
        pub(crate) name: String,
        #[serde(flatten)]
        pub(crate) base: Base,
    }

    /// Optionality differs between directions.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    pub(crate) struct Optionality {
        /// Optional on input (`default`), always present on output.
        #[serde(default)]
        pub(crate) count: u32,
        /// Always written on output, possibly as null; may be absent on input.
        pub(crate) maybe: Option<String>,
        /// Omitted from output when `None`; may be absent on input.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub(crate) note: Option<String>,
    }

    /// A newtype: on the wire, the inner value.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    pub(crate) struct UserId(pub(crate) u64);

    /// A shared nested type: one `$defs` entry, however many contracts use it.
    #[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
    pub(crate) struct Point {
        pub(crate) x: f64,
        pub(crate) y: f64,
    }

    /// A generic type, used at concrete instantiations.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    pub(crate) struct Page<T> {
        pub(crate) items: Vec<T>,
        pub(crate) next_cursor: Option<u32>,
    }

    /// A recursive type.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    pub(crate) struct Tree {
        pub(crate) label: String,
        pub(crate) children: Vec<Tree>,
    }

    /// Collections, tuples and 64-bit integers.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    pub(crate) struct Collections {
        pub(crate) list: Vec<String>,
        pub(crate) by_name: HashMap<String, u32>,
        pub(crate) by_color: BTreeMap<Color, u32>,
        pub(crate) pair: (String, u32),
        pub(crate) user: UserId,
        pub(crate) big_unsigned: u64,
        pub(crate) big_signed: i64,
    }

    /// Every case in one request, echoed back.
    #[ipc_runtime::contract(invoke, namespace = "cases", method = "echo", response = Everything)]
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    pub(crate) struct Everything {
        pub(crate) renamed: Renamed,
        pub(crate) external: Vec<External>,
        pub(crate) shape: Shape,
        pub(crate) message: Message,
        pub(crate) loose: Vec<Loose>,
        pub(crate) color: Color,
        pub(crate) flattened: Flattened,
        pub(crate) optionality: Optionality,
        pub(crate) collections: Collections,
        pub(crate) origin: Point,
    }

    /// Generic instantiations and a shared type in a second contract.
    #[ipc_runtime::contract(invoke, namespace = "cases", method = "page", response = Page<Point>)]
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    pub(crate) struct GetPage {
        pub(crate) labels: Page<String>,
        pub(crate) points: Page<Point>,
        pub(crate) around: Point,
    }

    /// A recursive payload, main -> renderer.
    #[ipc_runtime::contract(event, namespace = "cases", method = "treeChanged")]
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    pub(crate) struct TreeChanged {
        pub(crate) root: Tree,
    }

    /// A unit-enum payload, renderer -> main.
    #[ipc_runtime::contract(send, namespace = "cases", method = "pick")]
    #[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
    pub(crate) struct PickColor(pub(crate) Color);

    /// A sample with every case populated, as the main side would send it.
    pub(crate) fn sample_everything() -> Everything {
        Everything {
            renamed: Renamed {
                first_name: "Ada".into(),
                id: 7,
            },
            external: vec![
                External::Unit,
                External::Newtype(3),
                External::Tuple(1, "one".into()),
                External::Struct { flag: true },
            ],
            shape: Shape::Rectangle {
                width: 2.0,
                height: 3.5,
            },
            message: Message::Pair(1, 2),
            loose: vec![
                Loose::Number(-4),
                Loose::Text("t".into()),
                Loose::Point { x: 1, y: 2 },
            ],
            color: Color::Green,
            flattened: Flattened {
                name: "n".into(),
                base: Base {
                    created_by: "me".into(),
                },
            },
            optionality: Optionality {
                count: 2,
                maybe: None,
                note: None,
            },
            collections: Collections {
                list: vec!["a".into()],
                by_name: HashMap::from([("k".to_owned(), 1)]),
                by_color: BTreeMap::from([(Color::Red, 1), (Color::Blue, 2)]),
                pair: ("p".into(), 9),
                user: UserId(42),
                big_unsigned: (1 << 53) - 1,
                big_signed: -((1 << 53) - 1),
            },
            origin: Point { x: 0.0, y: -1.5 },
        }
    }
}

use cases::{Everything, GetPage, PickColor, TreeChanged, sample_everything};
use ipc_runtime::{CollectManifest, Manifest};
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

#[test]
fn manifest_snapshot() {
    insta::assert_json_snapshot!("serde_cases_manifest", manifest());
}

#[test]
fn renames_are_applied() {
    let manifest = manifest();
    assert_eq!(
        keys(&input_def(&manifest, "Renamed")["properties"]),
        ["firstName", "ID"]
    );
}

#[test]
fn enums_have_each_representation() {
    let manifest = manifest();
    let external = input_def(&manifest, "External");
    let variants = external["oneOf"].as_array().expect("oneOf");
    assert!(
        variants
            .iter()
            .any(|v| v["const"] == "Unit" || v["enum"] == json!(["Unit"]))
    );
    assert!(variants.iter().any(|v| required(v) == ["Newtype"]));
    assert!(variants.iter().any(|v| required(v) == ["Struct"]));

    let shape = input_def(&manifest, "Shape");
    let tags: Vec<&Value> = shape["oneOf"]
        .as_array()
        .expect("oneOf")
        .iter()
        .map(|v| &v["properties"]["type"]["const"])
        .collect();
    assert_eq!(
        tags,
        [&json!("circle"), &json!("rectangle"), &json!("empty")]
    );

    let message = input_def(&manifest, "Message");
    let adjacent = message["oneOf"].as_array().expect("oneOf");
    assert_eq!(adjacent[0]["properties"]["t"]["const"], "Text");
    assert_eq!(required(&adjacent[0]), ["t", "c"]);
    assert_eq!(required(&adjacent[2]), ["t"]);

    let loose = input_def(&manifest, "Loose");
    assert_eq!(
        loose["anyOf"].as_array().expect("untagged is anyOf").len(),
        3
    );

    assert_eq!(
        input_def(&manifest, "Color"),
        &json!({"type": "string", "enum": ["red", "green", "blue"], "description": "Unit-only: a string union."})
    );
}

#[test]
fn flatten_merges_fields() {
    let manifest = manifest();
    let flattened = input_def(&manifest, "Flattened");
    assert_eq!(keys(&flattened["properties"]), ["name", "created_by"]);
    assert_eq!(required(flattened), ["name", "created_by"]);
}

#[test]
fn optionality_differs_per_direction() {
    let manifest = manifest();
    let input = input_def(&manifest, "Optionality");
    let output = output_def(&manifest, "Optionality");
    assert!(
        required(input).is_empty(),
        "every field may be absent on input: {input}"
    );
    assert_eq!(
        required(output),
        ["count", "maybe"],
        "note is skipped when None: {output}"
    );
    assert_eq!(
        output["properties"]["maybe"]["type"],
        json!(["string", "null"])
    );
}

#[test]
fn collections_tuples_and_newtypes() {
    let manifest = manifest();
    let collections = input_def(&manifest, "Collections");
    let properties = &collections["properties"];
    assert_eq!(properties["list"]["items"]["type"], "string");
    assert_eq!(
        properties["by_name"]["additionalProperties"]["format"],
        "uint32"
    );
    // Enum keys: a closed object with one optional property per key.
    assert_eq!(
        keys(&properties["by_color"]["properties"]),
        ["blue", "green", "red"]
    );
    assert_eq!(properties["by_color"]["additionalProperties"], json!(false));
    assert_eq!(
        properties["pair"]["prefixItems"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(properties["user"]["$ref"], "#/$defs/UserId");
    assert_eq!(input_def(&manifest, "UserId")["type"], "integer");
}

#[test]
fn wide_integers_are_limited_to_safe_integers() {
    let manifest = manifest();
    let properties = &input_def(&manifest, "Collections")["properties"];
    assert_eq!(
        properties["big_unsigned"]["maximum"],
        json!(9_007_199_254_740_991_i64)
    );
    assert_eq!(
        properties["big_signed"]["minimum"],
        json!(-9_007_199_254_740_991_i64)
    );
    assert_eq!(
        properties["big_signed"]["maximum"],
        json!(9_007_199_254_740_991_i64)
    );

    let validators = validators("cases:echo");
    let sample = serde_json::to_value(sample_everything()).expect("serializes");
    assert!(validators.payload.is_valid(&sample));
    let too_big = 9_007_199_254_740_993_u64; // 2^53 + 1
    for pointer in ["/collections/big_unsigned", "/collections/user"] {
        let payload = with_change(&sample, pointer, json!(too_big));
        assert!(
            !validators.payload.is_valid(&payload),
            "{pointer} = 2^53 + 1 must be rejected"
        );
    }
    let payload = with_change(
        &sample,
        "/collections/big_signed",
        json!(-9_007_199_254_740_993_i64),
    );
    assert!(!validators.payload.is_valid(&payload));
    // ... while serde alone would have accepted it silently.
    let payload = with_change(&sample, "/collections/big_unsigned", json!(too_big));
    assert!(serde_json::from_value::<Everything>(payload).is_ok());

    let mut outgoing = sample_everything();
    outgoing.collections.big_unsigned = too_big;
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
    let input_pages: Vec<&String> = manifest
        .input_definitions
        .keys()
        .filter(|name| name.starts_with("Page"))
        .collect();
    assert_eq!(input_pages, ["Page", "Page2"]);
    assert_eq!(
        input_def(&manifest, "Page")["properties"]["items"]["items"]["type"],
        "string"
    );
    assert_eq!(
        input_def(&manifest, "Page2")["properties"]["items"]["items"]["$ref"],
        "#/$defs/Point"
    );
    let output_pages: Vec<&String> = manifest
        .output_definitions
        .keys()
        .filter(|name| name.starts_with("Page"))
        .collect();
    assert_eq!(output_pages, ["Page"]);
    let tree = output_def(&manifest, "Tree");
    assert_eq!(
        tree["properties"]["children"]["items"]["$ref"],
        "#/$defs/Tree"
    );
}

#[test]
fn samples_validate_and_invalid_payloads_are_rejected() {
    let validators = validators("cases:echo");
    let sample = serde_json::to_value(sample_everything()).expect("serializes");
    assert!(
        validators
            .response
            .as_ref()
            .expect("response")
            .is_valid(&sample)
    );
    assert!(validators.payload.is_valid(&sample));
    // Input may omit what serde defaults.
    let mut sparse = sample.clone();
    sparse["optionality"] = json!({});
    assert!(validators.payload.is_valid(&sparse));
    assert!(serde_json::from_value::<Everything>(sparse).is_ok());

    let invalid = [
        ("/color", json!("purple")),
        ("/shape", json!({"type": "triangle"})),
        ("/shape", json!({"type": "circle"})),
        ("/message", json!({"t": "Text", "c": 5})),
        ("/external/0", json!("Other")),
        ("/external/1", json!({"Newtype": "x"})),
        ("/loose/0", json!(true)),
        ("/renamed", json!({"first_name": "Ada", "ID": 7})),
        ("/flattened", json!({"name": "n"})),
        ("/collections/pair", json!(["p"])),
        ("/collections/by_color", json!({"purple": 1})),
        ("/collections/by_name", json!({"k": -1})),
        ("/origin", json!({"x": 1})),
    ];
    for (pointer, replacement) in invalid {
        let payload = with_change(&sample, pointer, replacement.clone());
        assert!(
            !validators.payload.is_valid(&payload),
            "{pointer} = {replacement} must be rejected"
        );
        assert!(
            serde_json::from_value::<Everything>(payload).is_err(),
            "serde rejects {pointer} = {replacement} too"
        );
    }
}

#[test]
fn other_contract_kinds_validate_their_payloads() {
    let page = validators("cases:page");
    assert!(page.payload.is_valid(&json!({"labels": {"items": ["a"], "next_cursor": null}, "points": {"items": []}, "around": {"x": 1, "y": 2}})));
    assert!(page.payload.is_valid(&json!({"labels": {"items": []}, "points": {"items": [{"x": 0, "y": 0}]}, "around": {"x": 1, "y": 2}})));
    assert!(!page.payload.is_valid(
        &json!({"labels": {"items": [1]}, "points": {"items": []}, "around": {"x": 1, "y": 2}})
    ));
    assert!(
        page.response
            .expect("response")
            .is_valid(&json!({"items": [{"x": 1, "y": 2}], "next_cursor": 3}))
    );

    let tree = validators("cases:treeChanged");
    let event = serde_json::to_value(TreeChanged {
        root: cases::Tree {
            label: "r".into(),
            children: vec![cases::Tree {
                label: "c".into(),
                children: vec![],
            }],
        },
    })
    .expect("serializes");
    assert!(tree.payload.is_valid(&event));
    assert!(
        !tree
            .payload
            .is_valid(&json!({"root": {"label": "r", "children": [{"label": 1, "children": []}]}}))
    );

    let pick = validators("cases:pick");
    assert!(
        pick.payload
            .is_valid(&serde_json::to_value(PickColor(cases::Color::Blue)).expect("serializes"))
    );
    assert!(!pick.payload.is_valid(&json!("teal")));
    assert!(!page.payload.is_valid(
        &json!({"labels": {"items": []}, "points": {"items": ["a"]}, "around": {"x": 1, "y": 2}})
    ));
    let request = GetPage {
        labels: cases::Page {
            items: vec![],
            next_cursor: None,
        },
        points: cases::Page {
            items: vec![cases::Point { x: 0.0, y: 0.0 }],
            next_cursor: Some(1),
        },
        around: cases::Point { x: 0.0, y: 0.0 },
    };
    assert!(
        page.payload
            .is_valid(&serde_json::to_value(request).expect("serializes"))
    );
}
