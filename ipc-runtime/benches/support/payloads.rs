//! The payloads of the decode benchmark, shared with the
//! `decode_cost` example (which runs one of them under a profiler).

use ipc_runtime::contract;
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
    ]
}
