//! What the router reads and writes is what serde reads and writes, in
//! both outbound modes: the bytes sent never depend on
//! `RouterConfig::validate_outbound`, every number that would change on
//! its way is refused where it is produced, and what serde accepts is
//! accepted (or refused for a documented reason, see docs/contracts.md).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use ipc_runtime::{
    CallerIdentity, CollectManifest, HandlerFailure, IpcError, IpcHandlerError, Router, Wide,
    contract, contract_error,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// 2^53 + 1: the first integer a JavaScript number cannot hold exactly.
const UNSAFE: u64 = (1 << 53) + 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct KeyedMaps {
    pub by_id: BTreeMap<u64, String>,
    pub by_offset: BTreeMap<i64, String>,
    pub by_wide: BTreeMap<u128, u8>,
}

/// Maps whose keys are integers beyond the safe range: keys are strings on
/// the wire, so they are sent as they are.
#[contract(invoke, namespace = "fidelity", response = KeyedMaps)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GetKeys {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Floats {
    pub single: f32,
    pub double: f64,
    pub list: Vec<f32>,
    pub maybe: Option<f64>,
}

/// Replies with floats; `which` picks one to make non-finite.
#[contract(invoke, namespace = "fidelity", response = Floats)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GetFloats {
    pub which: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Skips {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub a: Option<u8>,
    pub b: Option<u8>,
}

#[contract(invoke, namespace = "fidelity", response = Skips)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GetSkips {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum IntOrFloat {
    Int(i64),
    Float(f64),
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum Unit {
    A,
    B,
}

/// Everything the renderer may send that serde and the schema used to
/// disagree about.
#[contract(invoke, namespace = "fidelity", response = String)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Inbound {
    #[serde(default)]
    pub single: f32,
    #[serde(default)]
    pub narrow: i32,
    #[serde(default)]
    pub tiny: u8,
    #[serde(default)]
    pub number: Option<IntOrFloat>,
    #[serde(default)]
    pub anything: Value,
    #[serde(default)]
    pub double: f64,
    #[serde(default)]
    pub set: HashSet<u8>,
    #[serde(default)]
    pub ordered: BTreeSet<String>,
    #[serde(default)]
    pub by_id: HashMap<u32, u8>,
    #[serde(default)]
    pub by_offset: BTreeMap<i8, u8>,
    #[serde(default)]
    pub unit: Option<Unit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Known {
    Circle,
    #[serde(other)]
    Unknown,
}

/// Variants documented one by one, outside any contract macro: schemars
/// describes the enum with a `oneOf`, and a map keyed by it stays open.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum Loose {
    /// The first.
    First,
}

/// The same, with the mark the contract macros add written by hand.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[schemars(transform = ipc_runtime::schema::UnitEnumKeys)]
pub enum Marked {
    /// The first.
    First,
}

/// The cases documented as policy in docs/contracts.md, and the serde forms
/// schemars does not describe, declared where the `#[contracts]` macro
/// sees them.
#[ipc_runtime::contracts]
pub mod forms {
    use super::*;

    /// Variants documented one by one: schemars describes them with `oneOf`.
    #[derive(
        Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
    )]
    pub enum Documented {
        /// The first.
        First,
        /// The second.
        Second,
    }

    /// A struct tagged by serde: serde writes `"type": "Tagged"` and reads
    /// the struct with or without it.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(tag = "type")]
    pub struct Tagged {
        pub size: u8,
    }

    /// Tagged, renamed, and refusing unknown keys: serde writes
    /// `"kind": "strict"` and refuses it when read.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(tag = "kind", rename = "strict", deny_unknown_fields)]
    pub struct Strict {
        pub on: bool,
    }

    /// What main sends: both tagged structs.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    pub struct Forms {
        pub tagged: Tagged,
        pub strict: Strict,
    }

    #[contract(invoke, namespace = "fidelity", response = Tagged)]
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    pub struct Policy {
        #[serde(default, alias = "label")]
        pub name: String,
        #[serde(default)]
        pub by_kind: BTreeMap<Documented, u8>,
        #[serde(default)]
        pub by_loose: BTreeMap<Loose, u8>,
        #[serde(default)]
        pub by_marked: BTreeMap<Marked, u8>,
        #[serde(default)]
        pub known: Option<Known>,
        #[serde(default)]
        pub aliased: Option<Aliased>,
        #[serde(default)]
        pub variant: Option<Renamed>,
        #[serde(default)]
        pub tagged: Option<Tagged>,
        #[serde(default)]
        pub strict: Option<Strict>,
    }

    /// Replies with both tagged structs; a tagged contract, which its own
    /// attribute marks.
    #[contract(invoke, namespace = "fidelity", response = Forms)]
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(tag = "op")]
    pub struct GetForms {}
}

use forms::{Forms, GetForms, Policy, Strict, Tagged};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub enum Renamed {
    #[serde(alias = "Old")]
    New,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Aliased {
    #[serde(alias = "old_id")]
    pub id: u8,
}

/// A typed error with a float in its details.
#[contract_error]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub enum Problem {
    #[ipc(status = 422)]
    Bad { ratio: f32 },
}

/// Fails with `Problem::Bad`, its ratio NaN when asked.
#[contract(invoke, namespace = "fidelity", response = (), error = Problem)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Fail {
    pub nan: bool,
}

/// An event with floats, to check what `Router::event` sends.
#[contract(event, namespace = "fidelity")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Measured {
    pub value: f64,
    pub ratio: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Ledger {
    pub id: Wide<u64>,
    pub balance: Wide<i64>,
    pub total: Wide<u128>,
    pub delta: Wide<i128>,
    pub history: Vec<Wide<u64>>,
    pub previous: Option<Wide<u64>>,
    /// A plain integer next to them keeps the safe-integer policy.
    pub count: u64,
}

/// Lossless 64- and 128-bit integers, echoed back with each one moved by
/// one, so that the reply is computed from the full range.
#[contract(invoke, namespace = "fidelity", response = Ledger)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Adjust {
    pub ledger: Ledger,
}

fn floats(which: u8) -> Floats {
    let mut floats = Floats {
        single: 0.1,
        double: 0.1,
        list: vec![1.5, 0.3],
        maybe: Some(2.0),
    };
    match which {
        1 => floats.single = f32::NAN,
        2 => floats.list[1] = f32::INFINITY,
        3 => floats.double = f64::NEG_INFINITY,
        4 => floats.maybe = Some(f64::NAN),
        _ => {}
    }
    floats
}

fn router(validate: bool) -> Router {
    Router::builder()
        .validate_outbound(validate)
        .invoke_sync::<GetKeys, _>(|_, _| {
            Ok::<_, IpcHandlerError>(KeyedMaps {
                by_id: BTreeMap::from([(UNSAFE, "a".to_owned()), (u64::MAX, "b".to_owned())]),
                by_offset: BTreeMap::from([(i64::MIN, "c".to_owned())]),
                by_wide: BTreeMap::from([(u128::MAX, 1)]),
            })
        })
        .invoke_sync::<GetFloats, _>(|_, request| Ok::<_, IpcHandlerError>(floats(request.which)))
        .invoke_sync::<GetSkips, _>(|_, _| Ok::<_, IpcHandlerError>(Skips { a: None, b: None }))
        .invoke_sync::<Adjust, _>(|_, Adjust { ledger }| {
            Ok::<_, IpcHandlerError>(Ledger {
                id: Wide(ledger.id.0.wrapping_sub(1)),
                balance: Wide(ledger.balance.0.wrapping_add(1)),
                total: Wide(ledger.total.0.wrapping_sub(1)),
                delta: Wide(ledger.delta.0.wrapping_add(1)),
                history: ledger.history,
                previous: ledger.previous,
                count: ledger.count,
            })
        })
        .invoke_sync::<Fail, _>(|_, request| {
            Err::<(), _>(HandlerFailure::Contract(Problem::Bad {
                ratio: if request.nan { f32::NAN } else { 0.1 },
            }))
        })
        .invoke_sync::<Policy, _>(|_, _| Ok::<_, IpcHandlerError>(Tagged { size: 1 }))
        .invoke_sync::<GetForms, _>(|_, _| {
            Ok::<_, IpcHandlerError>(Forms {
                tagged: Tagged { size: 2 },
                strict: Strict { on: true },
            })
        })
        .invoke_sync::<Inbound, _>(|_, request| Ok::<_, IpcHandlerError>(format!("{request:?}")))
        .build()
        .expect("router builds")
}

async fn invoke_raw(router: &Router, channel: &str, payload: Value) -> String {
    let request =
        json!({"v": 1, "id": 1, "kind": "invoke", "channel": channel, "payload": payload});
    let reply = router
        .dispatch(
            request.to_string().as_bytes(),
            CallerIdentity::new(1, "main", "app://test"),
        )
        .await
        .expect("an invoke always gets a reply");
    String::from_utf8(reply).expect("replies are UTF-8")
}

async fn invoke(router: &Router, channel: &str, payload: Value) -> Value {
    serde_json::from_str(&invoke_raw(router, channel, payload).await).expect("replies are JSON")
}

/// The same reply bytes in both outbound modes.
async fn same_in_both_modes(channel: &str, payload: Value) -> String {
    let on = invoke_raw(&router(true), channel, payload.clone()).await;
    let off = invoke_raw(&router(false), channel, payload).await;
    assert_eq!(on, off, "{channel}: the bytes depend on validate_outbound");
    on
}

#[tokio::test]
async fn integer_map_keys_are_strings_and_pass_in_both_modes() {
    let reply = same_in_both_modes("fidelity:getKeys", json!({})).await;
    let expected = format!(
        r#"{{"id":1,"ok":true,"data":{{"by_id":{{"{UNSAFE}":"a","{}":"b"}},"by_offset":{{"{}":"c"}},"by_wide":{{"{}":1}}}}}}"#,
        u64::MAX,
        i64::MIN,
        u128::MAX
    );
    assert_eq!(reply, expected);
}

#[tokio::test]
async fn floats_are_sent_as_serde_writes_them_in_both_modes() {
    let reply = same_in_both_modes("fidelity:getFloats", json!({"which": 0})).await;
    assert_eq!(
        reply,
        r#"{"id":1,"ok":true,"data":{"single":0.1,"double":0.1,"list":[1.5,0.3],"maybe":2.0}}"#
    );
}

/// NaN and ±infinity are refused where they are produced, in both modes,
/// with the path of the field; serde_json would have sent `null` where the
/// schema and the TypeScript type say `number`.
#[tokio::test]
async fn non_finite_numbers_are_refused_with_their_path_in_both_modes() {
    for (which, path, received) in [
        (1, json!(["single"]), "NaN"),
        (2, json!(["list", 1]), "inf"),
        (3, json!(["double"]), "-inf"),
        (4, json!(["maybe"]), "NaN"),
    ] {
        let reply = same_in_both_modes("fidelity:getFloats", json!({ "which": which })).await;
        let reply: Value = serde_json::from_str(&reply).expect("JSON");
        assert_eq!(reply["ok"], false, "{which}");
        let error = &reply["error"];
        assert_eq!(error["name"], "IPCValidationError");
        assert_eq!(error["field"], "response");
        assert_eq!(error["issues"].as_array().map(Vec::len), Some(1), "{error}");
        assert_eq!(error["issues"][0]["path"], path, "{which}");
        assert_eq!(error["issues"][0]["expected"], "finite number");
        assert_eq!(error["issues"][0]["received"], received);
    }
    for validate in [true, false] {
        let router = router(validate);
        assert!(
            router
                .event(&Measured {
                    value: 1.0,
                    ratio: 0.1
                })
                .is_ok()
        );
        match router.event(&Measured {
            value: f64::INFINITY,
            ratio: 0.1,
        }) {
            Err(IpcError::Validation(error)) => {
                assert_eq!(error.issues[0].path, vec!["value".into()]);
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
        let bytes = router
            .event(&Measured {
                value: 2.5,
                ratio: 0.1,
            })
            .expect("finite");
        let text = String::from_utf8(bytes).expect("UTF-8");
        assert!(
            text.ends_with(r#""payload":{"value":2.5,"ratio":0.1}}"#),
            "{text}"
        );
    }
}

#[tokio::test]
async fn a_skipped_none_is_absent_and_the_output_schema_says_so() {
    let reply = same_in_both_modes("fidelity:getSkips", json!({})).await;
    assert_eq!(reply, r#"{"id":1,"ok":true,"data":{"b":null}}"#);
    let manifest = ipc_runtime::Manifest::collect().expect("manifest");
    let skips = &manifest.output_definitions["Skips"];
    assert_eq!(skips["properties"]["a"]["type"], "integer");
    assert_eq!(skips["properties"]["b"]["type"], json!(["integer", "null"]));
    assert_eq!(skips["required"], json!(["b"]));
}

/// serde's verdict on an `Inbound` payload.
fn serde_accepts(payload: &Value) -> bool {
    serde_json::from_str::<Inbound>(&payload.to_string()).is_ok()
}

async fn runtime_accepts(router: &Router, payload: &Value) -> Result<(), Value> {
    let reply = invoke(router, "fidelity:inbound", payload.clone()).await;
    if reply["ok"] == true {
        Ok(())
    } else {
        assert_eq!(reply["error"]["name"], "IPCValidationError", "{reply}");
        Err(reply["error"].clone())
    }
}

/// Payloads serde accepts, and the runtime now accepts too.
#[tokio::test]
async fn what_serde_accepts_is_accepted() {
    let router = router(true);
    for payload in [
        json!({"single": 3.4028234663852886e38}),
        json!({"single": -1.5e38}),
        json!({"narrow": i32::MIN}),
        json!({"narrow": i32::MAX}),
        json!({"tiny": 255}),
        json!({"number": 9_007_199_254_740_991_i64}),
        json!({"number": 1.5}),
        json!({"number": 1e300}),
        json!({"anything": {"n": 9_007_199_254_740_991_i64, "f": 1e300}}),
        json!({"double": 9_007_199_254_740_991_i64}),
        // serde de-duplicates sets; so does the runtime now.
        json!({"set": [1, 1, 2]}),
        json!({"ordered": ["a", "a"]}),
        json!({"by_id": {"0": 1, "4294967295": 2}}),
        json!({"by_offset": {"-128": 1, "127": 2}}),
    ] {
        assert!(serde_accepts(&payload), "serde refuses {payload}");
        assert_eq!(
            runtime_accepts(&router, &payload).await,
            Ok(()),
            "{payload}"
        );
    }
}

/// Payloads serde refuses, or would read as another number: the runtime
/// refuses them with an `IPCValidationError` at the field.
#[tokio::test]
async fn what_serde_refuses_or_would_change_is_refused() {
    let router = router(true);
    for (payload, path, serde_ok) in [
        // f32 out of range: serde refuses, and so does the schema.
        (json!({"single": 1e39}), json!(["single"]), false),
        (json!({"single": -1e300}), json!(["single"]), false),
        // Narrow integers beyond their Rust type.
        (
            json!({"narrow": 2_147_483_648_u64}),
            json!(["narrow"]),
            false,
        ),
        (
            json!({"narrow": -2_147_483_649_i64}),
            json!(["narrow"]),
            false,
        ),
        (json!({"tiny": 256}), json!(["tiny"]), false),
        // Integer keys serde does not read.
        (json!({"by_id": {"01": 1}}), json!(["by_id", "01"]), false),
        (json!({"by_id": {"+1": 1}}), json!(["by_id", "+1"]), false),
        (
            json!({"by_offset": {"-0": 1}}),
            json!(["by_offset", "-0"]),
            false,
        ),
        (
            json!({"by_offset": {"-129": 1}}),
            json!(["by_offset"]),
            false,
        ),
        (json!({"by_id": {"4294967296": 1}}), json!(["by_id"]), false),
        // Unsafe integers on every path to a Rust integer (serde accepts
        // them, and an untagged union's float branch would let one in).
        (json!({"number": UNSAFE}), json!(["number"]), true),
        (json!({"number": -(UNSAFE as i64)}), json!(["number"]), true),
        (
            json!({"anything": [1, UNSAFE]}),
            json!(["anything", 1]),
            true,
        ),
        (json!({"double": UNSAFE}), json!(["double"]), true),
        // An externally tagged unit variant as an object: refused by
        // policy (docs/contracts.md), though serde_json reads it.
        (json!({"unit": {"A": null}}), json!(["unit"]), true),
    ] {
        assert_eq!(serde_accepts(&payload), serde_ok, "serde on {payload}");
        let error = runtime_accepts(&router, &payload)
            .await
            .expect_err(&payload.to_string());
        let paths: Vec<&Value> = error["issues"]
            .as_array()
            .expect("issues")
            .iter()
            .map(|issue| &issue["path"])
            .collect();
        assert!(
            paths.iter().any(|p| **p == path
                || p.as_array()
                    .is_some_and(|p| p.starts_with(path.as_array().unwrap_or(&Vec::new())))),
            "{payload}: {error}"
        );
    }
}

fn ledger() -> Value {
    json!({
        "id": u64::MAX.to_string(),
        "balance": i64::MIN.to_string(),
        "total": u128::MAX.to_string(),
        "delta": i128::MIN.to_string(),
        "history": ["0", "9007199254740993"],
        "previous": null,
        "count": 3
    })
}

/// The full range of each wide type, exactly, both ways and in both modes.
#[tokio::test]
async fn wide_integers_round_trip_exactly() {
    let reply = same_in_both_modes("fidelity:adjust", json!({ "ledger": ledger() })).await;
    let reply: Value = serde_json::from_str(&reply).expect("JSON");
    assert_eq!(
        reply["data"],
        json!({
            "id": (u64::MAX - 1).to_string(),
            "balance": (i64::MIN + 1).to_string(),
            "total": (u128::MAX - 1).to_string(),
            "delta": (i128::MIN + 1).to_string(),
            "history": ["0", "9007199254740993"],
            "previous": null,
            "count": 3
        })
    );
    let typed: Ledger = serde_json::from_value(reply["data"].clone()).expect("a Ledger");
    assert_eq!(typed.id, Wide(u64::MAX - 1));
    assert_eq!(typed.delta, Wide(i128::MIN + 1));
}

/// Each schema is a string of the canonical decimals in its range, in both
/// directions.
#[test]
fn wide_integer_schemas() {
    let manifest = ipc_runtime::Manifest::collect().expect("manifest");
    for definitions in [&manifest.input_definitions, &manifest.output_definitions] {
        let properties = &definitions["Ledger"]["properties"];
        for (name, format) in [
            ("id", "uint64"),
            ("balance", "int64"),
            ("total", "uint128"),
            ("delta", "int128"),
        ] {
            assert_eq!(properties[name]["type"], "string", "{name}");
            assert_eq!(properties[name]["format"], format, "{name}");
            assert!(
                properties[name]["pattern"]
                    .as_str()
                    .is_some_and(|p| p.starts_with("^(?:0|")),
                "{name}"
            );
        }
        assert_eq!(properties["history"]["items"]["format"], "uint64");
        assert_eq!(
            properties["count"]["maximum"],
            json!(9_007_199_254_740_991_i64)
        );
    }
}

/// Non-canonical strings are refused with a message naming the rule, at
/// the field; so are numbers, and strings out of range.
#[tokio::test]
async fn non_canonical_wide_integers_are_refused_clearly() {
    let router = router(false);
    for (field, text, reason) in [
        ("id", json!("007"), "it has a leading zero"),
        ("id", json!("+7"), "it has a `+` sign"),
        ("id", json!(" 7"), "it contains spaces"),
        ("id", json!("-7"), "it is negative"),
        ("id", json!("18446744073709551616"), "it is out of range"),
        ("balance", json!("-0"), "`-0` is written `0`"),
        (
            "balance",
            json!("9223372036854775808"),
            "it is out of range",
        ),
        ("delta", json!("1e3"), "it is not a decimal integer"),
    ] {
        let mut payload = ledger();
        payload[field] = text.clone();
        let reply = invoke(&router, "fidelity:adjust", json!({ "ledger": payload })).await;
        let issues = &reply["error"]["issues"];
        assert_eq!(issues.as_array().map(Vec::len), Some(1), "{reply}");
        assert_eq!(issues[0]["path"], json!(["ledger", field]), "{reply}");
        let message = issues[0]["message"].as_str().unwrap_or_default();
        assert!(message.ends_with(reason), "{text}: {message}");
        assert!(
            issues[0]["expected"]
                .as_str()
                .is_some_and(|e| e.starts_with("canonical decimal string of a")),
            "{reply}"
        );
    }
    let mut payload = ledger();
    payload["id"] = json!(7);
    let reply = invoke(&router, "fidelity:adjust", json!({ "ledger": payload })).await;
    assert_eq!(reply["error"]["issues"][0]["path"], json!(["ledger", "id"]));
    assert_eq!(reply["error"]["issues"][0]["expected"], "string");
}

/// What stays stricter or looser than serde, each for the reason
/// docs/contracts.md gives ("What the runtime refuses that serde reads").
#[tokio::test]
async fn documented_differences_from_serde() {
    let router = router(true);
    let serde_reads =
        |payload: &Value| serde_json::from_str::<Policy>(&payload.to_string()).is_ok();
    // A field alias: for a field with a default, the alias is an unknown
    // key to the schema and serde reads it, so the runtime agrees with
    // serde. A required field is required under its own name (the schema
    // and the TypeScript type have one name per field): the alias alone
    // is refused.
    let aliased = json!({"label": "x"});
    assert!(serde_reads(&aliased));
    let reply = invoke(&router, "fidelity:policy", aliased).await;
    assert_eq!(reply["ok"], true, "{reply}");
    let required_alias = json!({"aliased": {"old_id": 1}});
    assert!(serde_reads(&required_alias));
    let reply = invoke(&router, "fidelity:policy", required_alias).await;
    assert_eq!(
        reply["error"]["issues"][0]["path"],
        json!(["aliased", "id"]),
        "{reply}"
    );
    // A variant alias: the schema lists each variant under its own name.
    let old_variant = json!({"variant": "Old"});
    assert!(serde_reads(&old_variant));
    let reply = invoke(&router, "fidelity:policy", old_variant).await;
    assert_eq!(
        reply["error"]["issues"][0]["path"],
        json!(["variant"]),
        "{reply}"
    );
    assert_eq!(
        invoke(&router, "fidelity:policy", json!({"variant": "New"})).await["ok"],
        true
    );
    // `#[serde(other)]`: serde maps an unknown tag to the catch-all; the
    // schema lists the known tags, so the runtime refuses it.
    let other = json!({"known": {"kind": "square"}});
    assert!(serde_reads(&other));
    let reply = invoke(&router, "fidelity:policy", other).await;
    assert_eq!(reply["error"]["name"], "IPCValidationError", "{reply}");
    assert_eq!(
        reply["error"]["issues"][0]["path"],
        json!(["known"]),
        "{reply}"
    );
}

/// A map keyed by a unit enum with documented variants has exactly the
/// variants as keys, as without the docs: in the schema, and inbound in
/// both modes. Outside the contract macros' sight the map stays open in
/// the schema unless the type carries the mark itself; serde, and so the
/// runtime, still refuses an unknown key.
#[tokio::test]
async fn maps_keyed_by_documented_unit_enums_are_exact() {
    let manifest = ipc_runtime::Manifest::collect().expect("manifest");
    let serde_reads =
        |payload: &Value| serde_json::from_str::<Policy>(&payload.to_string()).is_ok();
    for definitions in [&manifest.input_definitions, &manifest.output_definitions] {
        if let Some(policy) = definitions.get("Policy") {
            for (field, keys) in [
                ("by_kind", json!(["First", "Second"])),
                ("by_marked", json!(["First"])),
            ] {
                let map = &policy["properties"][field];
                assert_eq!(map["additionalProperties"], false, "{field}: {map}");
                let names: Vec<&String> = map["properties"]
                    .as_object()
                    .map(|p| p.keys().collect())
                    .unwrap_or_default();
                assert_eq!(json!(names), keys, "{field}");
            }
            let loose = &policy["properties"]["by_loose"];
            assert!(loose["additionalProperties"].is_object(), "{loose}");
        }
        // The enum's own schema keeps its documented variants.
        if let Some(documented) = definitions.get("Documented") {
            assert!(documented.get("enum").is_none(), "{documented}");
            assert_eq!(documented["oneOf"][0]["description"], "The first.");
        }
    }
    for validate in [true, false] {
        let router = router(validate);
        for (payload, ok) in [
            (json!({"by_kind": {"First": 1, "Second": 2}}), true),
            (json!({"by_kind": {}}), true),
            (json!({"by_kind": {"Third": 1}}), false),
            (json!({"by_kind": {"first": 1}}), false),
            (json!({"by_marked": {"First": 1}}), true),
            (json!({"by_marked": {"Second": 1}}), false),
            (json!({"by_loose": {"First": 1}}), true),
            (json!({"by_loose": {"Second": 1}}), false),
        ] {
            assert_eq!(serde_reads(&payload), ok, "serde on {payload}");
            let reply = invoke(&router, "fidelity:policy", payload.clone()).await;
            assert_eq!(reply["ok"], ok, "{payload}: {reply}");
            if !ok {
                assert_eq!(reply["error"]["name"], "IPCValidationError", "{reply}");
            }
        }
    }
}

/// A struct with `#[serde(tag = "..")]`: main sends the tag (the output
/// schema requires it as a `const`), in both modes; inbound the tag is
/// what serde makes of it, an ignored key, or a refused one under
/// `deny_unknown_fields`.
#[tokio::test]
async fn tagged_structs_are_described_as_serde_writes_and_reads_them() {
    let reply = same_in_both_modes("fidelity:policy", json!({})).await;
    assert_eq!(
        reply,
        r#"{"id":1,"ok":true,"data":{"type":"Tagged","size":1}}"#
    );
    let reply = same_in_both_modes("fidelity:getForms", json!({})).await;
    assert_eq!(
        reply,
        r#"{"id":1,"ok":true,"data":{"tagged":{"type":"Tagged","size":2},"strict":{"kind":"strict","on":true}}}"#
    );

    let manifest = ipc_runtime::Manifest::collect().expect("manifest");
    let output = &manifest.output_definitions;
    for (name, tag, value) in [("Tagged", "type", "Tagged"), ("strict", "kind", "strict")] {
        let definition = &output[name];
        assert_eq!(
            definition["properties"][tag],
            json!({"type": "string", "const": value}),
            "{definition}"
        );
        assert_eq!(definition["required"][0], tag, "{definition}");
        assert!(definition.get("x-ipc-serde-tag").is_none(), "{definition}");
    }
    let forms = ipc_runtime::schema::root_schema(&json!({"$ref": "#/$defs/Forms"}), output);
    let validator = jsonschema::validator_for(&forms).expect("compiles");
    let sent: Value = serde_json::from_str::<Value>(&reply).expect("JSON")["data"].clone();
    assert!(validator.is_valid(&sent));
    let mut untagged = sent.clone();
    untagged["tagged"].as_object_mut().map(|t| t.remove("type"));
    assert!(!validator.is_valid(&untagged));
    let mut wrong = sent.clone();
    wrong["strict"]["kind"] = json!("Strict");
    assert!(!validator.is_valid(&wrong));

    // Inbound: serde ignores a tagged struct's tag, whatever its value,
    // and refuses it where unknown keys are refused.
    let input = &manifest.input_definitions;
    assert_eq!(input["Tagged"]["required"], json!(["size"]));
    assert!(input["Tagged"]["properties"]["type"].get("const").is_none());
    assert!(input["strict"]["properties"].get("kind").is_none());
    assert!(input["GetForms"]["properties"]["op"].is_object());
    let reply = invoke(
        &router(true),
        "fidelity:getForms",
        json!({"op": "GetForms"}),
    )
    .await;
    assert_eq!(reply["ok"], true, "{reply}");
    let serde_reads =
        |payload: &Value| serde_json::from_str::<Policy>(&payload.to_string()).is_ok();
    for validate in [true, false] {
        let router = router(validate);
        for (payload, ok) in [
            (json!({"tagged": {"type": "Tagged", "size": 1}}), true),
            (json!({"tagged": {"size": 1}}), true),
            (json!({"tagged": {"type": ["any"], "size": 1}}), true),
            (json!({"tagged": {"type": "Tagged"}}), false),
            (json!({"strict": {"on": true}}), true),
            (json!({"strict": {"kind": "strict", "on": true}}), false),
        ] {
            assert_eq!(serde_reads(&payload), ok, "serde on {payload}");
            let reply = invoke(&router, "fidelity:policy", payload.clone()).await;
            assert_eq!(reply["ok"], ok, "{payload}: {reply}");
        }
    }
}

/// A typed error's details are serde's bytes too, and a NaN in them is
/// refused, in both modes.
#[tokio::test]
async fn typed_error_details_are_encoded_like_responses() {
    let reply = same_in_both_modes("fidelity:fail", json!({"nan": false})).await;
    assert!(
        reply.ends_with(r#""statusCode":422,"details":{"ratio":0.1}}}"#),
        "{reply}"
    );
    let reply = same_in_both_modes("fidelity:fail", json!({"nan": true})).await;
    let reply: Value = serde_json::from_str(&reply).expect("JSON");
    assert_eq!(reply["error"]["name"], "IPCValidationError");
    assert_eq!(reply["error"]["field"], "response");
    assert_eq!(
        reply["error"]["issues"][0]["path"],
        json!(["details", "ratio"])
    );
}
