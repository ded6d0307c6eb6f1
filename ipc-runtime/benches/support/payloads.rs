//! The payloads of the decode benchmark, shared with the
//! `decode_cost` example (which runs one of them under a profiler).

use std::collections::{BTreeSet, HashSet};

use ipc_runtime::contract;
use ipc_runtime::validation::input_root_schema;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A small struct with five fields and a few constraints.
#[contract(invoke, response = ())]
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SmallRecord {
    pub(crate) id: u64,
    #[schemars(length(min = 1, max = 64))]
    pub(crate) name: String,
    pub(crate) score: f64,
    pub(crate) active: bool,
    #[schemars(length(max = 16))]
    pub(crate) tags: Vec<String>,
}

/// An internally tagged enum.
#[contract(invoke, response = ())]
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "camelCase")]
pub(crate) enum InputEvent {
    Click {
        x: i32,
        y: i32,
        #[schemars(length(min = 1, max = 16))]
        button: String,
    },
    Key {
        key: String,
        code: u32,
    },
    Scroll {
        delta: f64,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Item {
    pub(crate) id: u64,
    #[schemars(length(min = 1, max = 100))]
    pub(crate) name: String,
    pub(crate) price: f64,
    pub(crate) quantity: u32,
    pub(crate) in_stock: bool,
}

/// A 1,000-element array of structs.
#[contract(invoke, response = ())]
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub(crate) struct ItemList(#[schemars(length(max = 10_000))] pub(crate) Vec<Item>);

/// A 100 KB string.
#[contract(invoke, response = ())]
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub(crate) struct Document {
    #[schemars(length(max = 200_000))]
    pub(crate) body: String,
}

/// Sets: serde de-duplicates them, so their input schema has no
/// `uniqueItems` (docs/contracts.md).
#[contract(invoke, response = ())]
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub(crate) struct Sets {
    pub(crate) labels: HashSet<String>,
    pub(crate) ids: BTreeSet<u32>,
}

/// Arrays whose items must be distinct: [`Sets`] under a schema that says
/// `uniqueItems` (as a hand-written or an output schema does).
pub(crate) fn unique_items_schema() -> Value {
    let mut schema = input_root_schema::<Sets>();
    for property in ["labels", "ids"] {
        schema["$defs"]["Sets"]["properties"][property]["uniqueItems"] = Value::Bool(true);
    }
    schema
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Lot {
    pub(crate) id: u64,
    #[schemars(extend("multipleOf" = 5))]
    pub(crate) pack: u32,
    #[schemars(extend("multipleOf" = 0.25))]
    pub(crate) weight: f64,
}

/// 1,000 structs with an integer and a float `multipleOf`.
#[contract(invoke, response = ())]
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub(crate) struct LotList(pub(crate) Vec<Lot>);

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub(crate) struct Named {
    #[schemars(length(min = 1, max = 64))]
    pub(crate) name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub(crate) struct Scored {
    #[schemars(range(min = 0, max = 100))]
    pub(crate) score: u32,
}

/// A struct with two flattened parts, under a schema that says so with
/// `allOf` (as hand-written schemas compose).
#[contract(invoke, response = ())]
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub(crate) struct Composed {
    #[serde(flatten)]
    pub(crate) named: Named,
    #[serde(flatten)]
    pub(crate) scored: Scored,
    pub(crate) active: bool,
}

pub(crate) fn all_of_schema() -> Value {
    let mut definitions = serde_json::Map::new();
    let mut part = |mut root: Value| {
        if let Some(Value::Object(more)) = root.as_object_mut().and_then(|r| r.remove("$defs")) {
            definitions.extend(more);
        }
        if let Some(object) = root.as_object_mut() {
            object.remove("$schema");
        }
        root
    };
    let named = part(input_root_schema::<Named>());
    let scored = part(input_root_schema::<Scored>());
    json!({
        "$schema": input_root_schema::<Composed>()["$schema"],
        "$defs": definitions,
        "type": "object",
        "properties": {"active": {"type": "boolean"}},
        "required": ["active"],
        "allOf": [named, scored]
    })
}

/// An untagged enum: its branches are told apart by their JSON types.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub(crate) enum Cell {
    Count(u32),
    Text(#[schemars(length(max = 32))] String),
    Point { x: f64, y: f64 },
    Flag(bool),
}

/// A row of eight untagged cells.
#[contract(invoke, response = ())]
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub(crate) struct Row {
    pub(crate) cells: Vec<Cell>,
}

/// Strings under `pattern` and asserted `format`s.
#[contract(invoke, response = ())]
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub(crate) struct Account {
    #[schemars(regex(pattern = r"^[a-z][a-z0-9_]{2,15}$"))]
    pub(crate) handle: String,
    #[schemars(email)]
    pub(crate) email: String,
    #[schemars(url)]
    pub(crate) homepage: String,
    #[schemars(extend("format" = "uuid"))]
    pub(crate) id: String,
    #[schemars(extend("format" = "date-time"))]
    pub(crate) created: String,
    #[schemars(regex(pattern = r"^\+?[0-9 ]{6,20}$"))]
    pub(crate) phone: String,
}

/// The schema a payload is decoded against: its type's own, or one that
/// uses the keyword the payload is about.
pub(crate) fn schema_of(name: &str) -> Option<Value> {
    match name {
        "unique_items" => Some(unique_items_schema()),
        "all_of" => Some(all_of_schema()),
        _ => None,
    }
}

pub(crate) fn payloads() -> Vec<(&'static str, Value)> {
    let small =
        json!({"id": 42, "name": "widget", "score": 0.75, "active": true, "tags": ["a", "b"]});
    let event = json!({"type": "click", "x": 120, "y": -4, "button": "left"});
    let items: Vec<Value> = (0..1000)
        .map(|i| {
            json!({
                "id": i,
                "name": format!("item number {i}"),
                "price": f64::from(i) * 1.25,
                "quantity": i % 17,
                "inStock": i % 3 == 0
            })
        })
        .collect();
    let document = json!({"body": "lorem ipsum dolor sit amet ".repeat(100 * 1024 / 27)});
    vec![
        ("small_struct", small),
        ("tagged_enum", event),
        ("array_1000_structs", Value::Array(items)),
        ("string_100kb", document),
        ("sets", sets()),
        ("unique_items", sets()),
        ("multiple_of_1000", lots()),
        (
            "all_of",
            json!({"name": "widget", "score": 42, "active": true}),
        ),
        ("untagged_enum", row()),
        ("pattern_format", account()),
    ]
}

fn sets() -> Value {
    let labels: Vec<String> = (0..20).map(|i| format!("label-{i}")).collect();
    let ids: Vec<u32> = (0..20).map(|i| i * 7).collect();
    json!({"labels": labels, "ids": ids})
}

fn lots() -> Value {
    let lots: Vec<Value> = (0..1000)
        .map(|i| json!({"id": i, "pack": (i % 20) * 5, "weight": f64::from(i) * 0.75}))
        .collect();
    Value::Array(lots)
}

fn row() -> Value {
    json!({"cells": [
        3, "three", {"x": 1.5, "y": -2.0}, true,
        17, "seventeen", {"x": 0.0, "y": 4.25}, false
    ]})
}

fn account() -> Value {
    json!({
        "handle": "ada_lovelace",
        "email": "ada@example.com",
        "homepage": "https://example.com/ada",
        "id": "3f1c2a9e-8b7d-4e6f-a5c4-1b2d3e4f5a6b",
        "created": "2026-12-01T11:50:17Z",
        "phone": "+44 20 7946 0958"
    })
}

/// Calls `$run::<T>(args..)` with the type of the payload named `$name`.
macro_rules! with_payload_type {
    ($name:expr, $run:ident($($arg:expr),* $(,)?)) => {
        match $name {
            "small_struct" => $run::<payloads::SmallRecord>($($arg),*),
            "tagged_enum" => $run::<payloads::InputEvent>($($arg),*),
            "array_1000_structs" => $run::<payloads::ItemList>($($arg),*),
            "string_100kb" => $run::<payloads::Document>($($arg),*),
            "sets" | "unique_items" => $run::<payloads::Sets>($($arg),*),
            "multiple_of_1000" => $run::<payloads::LotList>($($arg),*),
            "all_of" => $run::<payloads::Composed>($($arg),*),
            "untagged_enum" => $run::<payloads::Row>($($arg),*),
            "pattern_format" => $run::<payloads::Account>($($arg),*),
            other => panic!("no payload named {other}"),
        }
    };
}
