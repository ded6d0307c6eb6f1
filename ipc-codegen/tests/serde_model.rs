//! Holds the whole data model to serde: for every serde form in the serde
//! cases fixture, in both directions and in both outbound modes, four
//! verdicts are compared: serde's, the runtime's (a real router), the
//! schema's (a JSON Schema validator on the generated `schemas.json`) and
//! the TypeScript type's (the generated `types.ts` compiled by `tsc
//! --strict`, with `@ts-expect-error` on every value the type refuses).
//! Where they differ, the case names the documented reason
//! (docs/contracts.md, "Where the runtime and serde differ", and
//! docs/codegen.md for what a type cannot say).

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use ipc_codegen::output;
use ipc_runtime::{CallerIdentity, HandlerFailure, IpcHandlerError, Router};
use serde_cases_contracts::{
    Account, AccountKind, CaseError, Everything, GetPages, LogLine, Measure, Meters, Page, Ping,
    Transfer, TransferError, UpdateSettings,
    forms::{GetLevels, Level, Tagged},
    sample_everything,
};
use serde_json::{Value, json};

fn sample() -> Everything {
    sample_everything()
}

/// One inbound case: `value` at `pointer` in the sample request, and the
/// verdicts expected of serde, the schema, the runtime and the type.
struct Inbound {
    pointer: &'static str,
    value: Value,
    serde: bool,
    schema: bool,
    runtime: bool,
    ts: bool,
    /// Why the verdicts differ; empty when they agree.
    why: &'static str,
}

const UNSAFE_INTEGER: &str = "contracts.md: an integer outside the safe range is refused anywhere";
const VALUE_CONSTRAINT: &str =
    "codegen.md: value constraints (ranges, key spellings) are not types";
const UNIT_OBJECT: &str = "contracts.md: a unit variant as {\"Unit\": null} is refused";
const KEY_RANGE: &str = "contracts.md: an integer key's pattern does not know the key's width";
const BEYOND_SCHEMA: &str =
    "contracts.md: the safe-integer rule holds where JSON Schema cannot say it (a JSON value)";

fn inbound_cases() -> Vec<Inbound> {
    let agree = |pointer, value, ok| Inbound {
        pointer,
        value,
        serde: ok,
        schema: ok,
        runtime: ok,
        ts: ok,
        why: "",
    };
    let by_value = |pointer, value| Inbound {
        pointer,
        value,
        serde: false,
        schema: false,
        runtime: false,
        ts: true,
        why: VALUE_CONSTRAINT,
    };
    vec![
        agree("", json!(null), true),
        agree("/color", json!("blue"), true),
        agree("/color", json!("purple"), false),
        agree("/shape", json!("Empty"), true),
        agree("/shape", json!({"Circle": {"radius": 1.5}}), true),
        agree("/shape", json!("Circle"), false),
        agree("/shape", json!({"Square": "x"}), false),
        Inbound {
            pointer: "/shape",
            value: json!({"Empty": null}),
            serde: true,
            schema: false,
            runtime: false,
            ts: false,
            why: UNIT_OBJECT,
        },
        agree("/animal", json!({"kind": "cat", "lives": 9}), true),
        agree("/animal", json!({"kind": "fish"}), true),
        agree("/animal", json!({"kind": "bird"}), false),
        agree("/animal", json!({"kind": "dog", "name": "a"}), false),
        by_value("/animal", json!({"kind": "cat", "lives": 256})),
        agree("/message", json!({"t": "Text", "c": "hi"}), true),
        agree("/message", json!({"t": "Ping"}), true),
        agree("/message", json!({"t": "Pair", "c": [1]}), false),
        agree("/scalar", json!(1.5), true),
        agree("/scalar", json!("text"), true),
        agree("/scalar", json!(null), false),
        agree("/distance", json!(2.5), true),
        agree("/distance", json!("far"), false),
        agree("/point", json!([1, 2]), true),
        agree("/point", json!([1]), false),
        by_value("/point", json!([1, 2_147_483_648_u64])),
        agree("/pair", json!(["a", 1]), true),
        by_value("/pair", json!(["a", -1])),
        agree("/maybe", json!(null), true),
        agree("/nestedOption", json!(null), true),
        agree("/list", json!([]), true),
        agree("/byColor", json!({"GREEN": 1, "light-red": 2}), true),
        agree("/byColor", json!({"red": 1}), false),
        agree("/byId", json!({"0": "zero"}), true),
        by_value("/byId", json!({"01": "zero"})),
        Inbound {
            pointer: "/byId",
            value: json!({"4294967296": "over"}),
            serde: false,
            schema: true,
            runtime: false,
            ts: true,
            why: KEY_RANGE,
        },
        agree("/byName", json!({"k": [1, 2]}), true),
        agree("/byName", json!({"k": "p"}), false),
        agree("/tree", json!({"label": "x", "children": []}), true),
        agree(
            "/tree",
            json!({"label": "x", "children": [{"label": 1, "children": []}]}),
            false,
        ),
        agree("/settings", json!({}), true),
        agree("/settings", json!({"theme": null, "plugins": ["p"]}), true),
        agree("/settings", json!({"verbose": "yes"}), false),
        agree("/unit", json!(null), true),
        agree("/unit", json!(0), false),
        agree("/anything", json!({"n": [1.5, null]}), true),
        agree("/bytes", json!([0, 0, 0, 0]), true),
        agree("/bytes", json!([0, 0, 0]), false),
        agree("/bytes", json!([0, 0, 0, 0, 0]), false),
        by_value("/bytes", json!([0, 0, 0, 256])),
        // A tagged struct: serde reads the tag as an unknown key,
        // whatever its value, and the input type says so.
        agree("/tagged", json!({"type": "Tagged", "size": 1}), true),
        agree("/tagged", json!({"size": 1}), true),
        agree("/tagged", json!({"type": 7, "size": 1}), true),
        agree("/tagged", json!({"type": "Tagged"}), false),
        // A unit enum with documented variants, and a map keyed by it:
        // exactly its variants' names, as without the docs.
        agree("/level", json!("middle"), true),
        agree("/level", json!("Low"), false),
        agree("/byLevel", json!({}), true),
        agree("/byLevel", json!({"low": 1, "high": 2, "middle": 3}), true),
        agree("/byLevel", json!({"lowest": 1}), false),
        agree("/byLevel", json!({"Low": 1}), false),
        agree("/byColor", json!({"purple": 1}), false),
        by_value("/small", json!(65_536)),
        by_value("/ratio", json!(1e39)),
        by_value("/ID", json!(-1)),
        Inbound {
            pointer: "/ID",
            value: json!(9_007_199_254_740_993_u64),
            serde: true,
            schema: false,
            runtime: false,
            ts: true,
            why: UNSAFE_INTEGER,
        },
        Inbound {
            pointer: "/anything",
            value: json!({"n": 9_007_199_254_740_993_u64}),
            serde: true,
            schema: true,
            runtime: false,
            ts: true,
            why: BEYOND_SCHEMA,
        },
    ]
}

const FLATTEN_INDEX: &str =
    "codegen.md: a flattened map's index signature also names the other properties' types";

/// A payload of a send contract with a flattened map, which collects the
/// keys of no field; the verdicts expected of serde, the schema and the
/// runtime (`ok`) and of the type.
struct Flattened {
    channel: &'static str,
    payload: Value,
    ok: bool,
    ts: bool,
    why: &'static str,
}

fn flattened_cases() -> Vec<Flattened> {
    let agree = |channel, payload, ok| Flattened {
        channel,
        payload,
        ok,
        ts: ok,
        why: "",
    };
    vec![
        agree("cases:log", json!({"text": "t"}), true),
        agree(
            "cases:log",
            json!({"text": "t", "user": "u", "at": "noon"}),
            true,
        ),
        agree("cases:log", json!({"text": "t", "user": 1}), false),
        agree("cases:log", json!({"user": "u"}), false),
        agree(
            "cases:measure",
            json!({"name": "n", "x": 1.5, "y": -2}),
            true,
        ),
        agree("cases:measure", json!({"name": "n", "x": null}), false),
        Flattened {
            channel: "cases:measure",
            payload: json!({"name": "n", "x": "far"}),
            ok: false,
            ts: true,
            why: FLATTEN_INDEX,
        },
    ]
}

fn serde_reads_flattened(channel: &str, text: &str) -> bool {
    match channel {
        "cases:log" => serde_json::from_str::<LogLine>(text).is_ok(),
        _ => serde_json::from_str::<Measure>(text).is_ok(),
    }
}

/// A send is answered only when it is refused.
fn send_accepted(router: &Router, channel: &str, payload: &Value) -> bool {
    let request = json!({"v": 1, "id": 1, "kind": "send", "channel": channel, "payload": payload});
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    match runtime.block_on(router.dispatch(
        request.to_string().as_bytes(),
        CallerIdentity::new(1, "main", "app://test"),
    )) {
        None => true,
        Some(reply) => {
            let reply: Value = serde_json::from_slice(&reply).expect("a JSON reply");
            assert_eq!(reply["error"]["name"], "IPCValidationError", "{reply}");
            false
        }
    }
}

/// One outbound case: a change to the sample response.
struct Outbound {
    name: &'static str,
    change: fn(&mut Everything),
    /// Whether the runtime sends it (in both modes).
    sent: bool,
    /// Whether the output schema accepts serde's own bytes.
    schema: bool,
    /// Whether the TypeScript type of the response accepts them.
    ts: bool,
    why: &'static str,
}

fn outbound_cases() -> Vec<Outbound> {
    vec![
        Outbound {
            name: "the sample",
            change: |_| {},
            sent: true,
            schema: true,
            ts: true,
            why: "",
        },
        Outbound {
            name: "an f32 written as serde writes it",
            change: |e| e.ratio = 0.1,
            sent: true,
            schema: true,
            ts: true,
            why: "",
        },
        Outbound {
            name: "NaN, which serde writes as null",
            change: |e| e.ratio = f32::NAN,
            sent: false,
            schema: false,
            ts: false,
            why: "",
        },
        Outbound {
            name: "infinity in a newtype",
            change: |e| e.distance = Meters(f64::INFINITY),
            sent: false,
            schema: false,
            ts: false,
            why: "",
        },
        Outbound {
            name: "an unsafe u64",
            change: |e| e.id = (1 << 53) + 1,
            sent: false,
            schema: false,
            ts: true,
            why: VALUE_CONSTRAINT,
        },
        Outbound {
            name: "the largest u32 map key",
            change: |e| e.by_id = BTreeMap::from([(u32::MAX, String::new())]),
            sent: true,
            schema: true,
            ts: true,
            why: "",
        },
        Outbound {
            name: "a skipped None",
            change: |e| e.settings.theme = None,
            sent: true,
            schema: true,
            ts: true,
            why: "",
        },
        Outbound {
            name: "a present optional",
            change: |e| e.settings.theme = Some("dark".into()),
            sent: true,
            schema: true,
            ts: true,
            why: "",
        },
        Outbound {
            name: "every level as a key",
            change: |e| {
                e.by_level =
                    BTreeMap::from([(Level::Low, 1), (Level::High, 2), (Level::Middle, 3)]);
            },
            sent: true,
            schema: true,
            ts: true,
            why: "",
        },
        Outbound {
            name: "a tagged struct",
            change: |e| e.tagged = Tagged { size: 255 },
            sent: true,
            schema: true,
            ts: true,
            why: "",
        },
        Outbound {
            name: "an unsafe integer in a JSON value",
            change: |e| e.anything = json!({"n": u64::MAX}),
            sent: false,
            schema: true,
            ts: true,
            why: BEYOND_SCHEMA,
        },
    ]
}

/// A router over every serde case contract; `cases:everything` replies
/// with what `reply` holds, or echoes its request.
fn router(validate: bool, reply: Arc<Mutex<Option<Everything>>>) -> Router {
    Router::builder()
        .validate_outbound(validate)
        .invoke_sync::<Everything, _>(move |_, request| {
            let reply = reply.lock().map(|r| r.clone()).unwrap_or(None);
            Ok::<_, HandlerFailure<CaseError>>(reply.unwrap_or(request))
        })
        .invoke_sync::<GetPages, _>(move |_, _| {
            let items = Vec::new();
            Ok::<_, IpcHandlerError>((
                Page {
                    items,
                    next_cursor: None,
                },
                Page {
                    items: Vec::new(),
                    next_cursor: None,
                },
            ))
        })
        .invoke_sync::<UpdateSettings, _>(|_, request| Ok::<_, IpcHandlerError>(request.settings))
        .invoke_sync::<Ping, _>(|_, _| Ok::<_, IpcHandlerError>(1))
        .invoke_sync::<Transfer, _>(|_, request| {
            Ok::<_, HandlerFailure<TransferError>>(Account {
                kind: AccountKind::Personal,
                ..request.from
            })
        })
        .invoke_sync::<GetLevels, _>(|_, request| {
            Ok::<_, IpcHandlerError>(
                request
                    .levels
                    .into_iter()
                    .map(|(level, size)| (level, Tagged { size }))
                    .collect(),
            )
        })
        .send_sync::<LogLine, _>(|_, _| Ok::<_, IpcHandlerError>(()))
        .send_sync::<Measure, _>(|_, _| Ok::<_, IpcHandlerError>(()))
        .build()
        .expect("router builds")
}

fn dispatch(router: &Router, payload: &Value) -> Value {
    serde_json::from_str(&dispatch_raw(router, payload)).expect("a JSON reply")
}

fn dispatch_raw(router: &Router, payload: &Value) -> String {
    let request = json!({"v": 1, "id": 1, "kind": "invoke", "channel": "cases:everything", "payload": payload});
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let reply = runtime
        .block_on(router.dispatch(
            request.to_string().as_bytes(),
            CallerIdentity::new(1, "main", "app://test"),
        ))
        .expect("an invoke is answered");
    String::from_utf8(reply).expect("a UTF-8 reply")
}

fn with_change(base: &Value, pointer: &str, value: &Value) -> Value {
    let mut changed = base.clone();
    if pointer.is_empty() {
        return changed;
    }
    *changed
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer} is in the sample")) = value.clone();
    changed
}

#[test]
fn every_form_is_held_to_serde_in_both_directions() {
    let dir = common::scratch_dir("serde-model");
    let files = common::generate(&common::serde_cases_manifest(), &common::electron());
    output::write(&dir.join("cases"), &files).expect("write bindings");
    let schemas: Value =
        serde_json::from_str(common::contents(&files, "schemas.json")).expect("schemas.json");
    let everything = &schemas["contracts"]["cases:everything"];
    let validator = |schema: &Value| {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(schema)
            .expect("the schema compiles")
    };
    let payload_schema = validator(&everything["payload"]);
    let response_schema = validator(&everything["response"]);

    let reply = Arc::new(Mutex::new(None));
    let routers = [
        router(true, Arc::clone(&reply)),
        router(false, Arc::clone(&reply)),
    ];
    let base = serde_json::to_value(sample()).expect("serializes");
    let mut ts = String::from(
        "// Generated by serde_model.rs: each line is one case of the table.\nimport type { Everything, EverythingInput, LogLine, Measure } from './cases/types.js'\n\n",
    );

    let mut disagreements = Vec::new();
    for (index, case) in inbound_cases().iter().enumerate() {
        let payload = with_change(&base, case.pointer, &case.value);
        let text = payload.to_string();
        let serde = serde_json::from_str::<Everything>(&text).is_ok();
        let schema = payload_schema.is_valid(&payload);
        let verdicts: Vec<bool> = routers
            .iter()
            .map(|router| {
                let reply = dispatch(router, &payload);
                if reply["ok"] == false {
                    assert_eq!(reply["error"]["name"], "IPCValidationError", "{reply}");
                    assert_eq!(reply["error"]["field"], "request", "{reply}");
                }
                reply["ok"] == true
            })
            .collect();
        let label = format!("{} = {}", case.pointer, case.value);
        assert_eq!(
            verdicts[0], verdicts[1],
            "{label}: the outbound mode changed the verdict"
        );
        let runtime = verdicts[0];
        let found = (serde, schema, runtime);
        let expected = (case.serde, case.schema, case.runtime);
        if found != expected {
            disagreements.push(format!(
                "{label}: (serde, schema, runtime) = {found:?}, expected {expected:?}"
            ));
        }
        let all_agree =
            case.serde == case.schema && case.schema == case.runtime && case.runtime == case.ts;
        assert_eq!(
            all_agree,
            case.why.is_empty(),
            "{label}: a difference needs its reason"
        );
        if !case.ts {
            ts.push_str("// @ts-expect-error: the type refuses it, as serde does\n");
        } else if !case.serde {
            ts.push_str(&format!("// accepted by the type: {}\n", case.why));
        }
        ts.push_str(&format!(
            "export const input{index}: EverythingInput = {text}\n"
        ));
    }

    // Flattened maps: the keys of no field are the map's, both ways.
    for (index, case) in flattened_cases().iter().enumerate() {
        let text = case.payload.to_string();
        let label = format!("{} {text}", case.channel);
        let schema =
            validator(&schemas["contracts"][case.channel]["payload"]).is_valid(&case.payload);
        let runtime: Vec<bool> = routers
            .iter()
            .map(|router| send_accepted(router, case.channel, &case.payload))
            .collect();
        let found = (
            serde_reads_flattened(case.channel, &text),
            schema,
            runtime[0],
            runtime[1],
        );
        let expected = (case.ok, case.ok, case.ok, case.ok);
        if found != expected {
            disagreements.push(format!(
                "{label}: (serde, schema, runtime on, runtime off) = {found:?}, expected {expected:?}"
            ));
        }
        assert_eq!(
            case.ok == case.ts,
            case.why.is_empty(),
            "{label}: a difference needs its reason"
        );
        if !case.ts {
            ts.push_str("// @ts-expect-error: the type refuses it, as serde does\n");
        } else if !case.ok {
            ts.push_str(&format!("// accepted by the type: {}\n", case.why));
        }
        let name = if case.channel == "cases:log" {
            "LogLine"
        } else {
            "Measure"
        };
        ts.push_str(&format!("export const flattened{index}: {name} = {text}\n"));
    }

    for case in outbound_cases() {
        let mut value = sample();
        (case.change)(&mut value);
        let serde_bytes = serde_json::to_string(&value).expect("serde writes it");
        let schema = response_schema
            .is_valid(&serde_json::from_str(&serde_bytes).expect("serde writes JSON"));
        if let Ok(mut slot) = reply.lock() {
            *slot = Some(value);
        }
        let raw: Vec<String> = routers
            .iter()
            .map(|router| dispatch_raw(router, &base))
            .collect();
        assert_eq!(
            raw[0], raw[1],
            "{}: the outbound mode changed the bytes",
            case.name
        );
        let reply: Value = serde_json::from_str(&raw[0]).expect("a JSON reply");
        let sent = reply["ok"] == true;
        // The type's verdict on serde's bytes, sent or not.
        if !case.ts {
            ts.push_str("// @ts-expect-error: the type refuses what serde wrote\n");
        }
        ts.push_str(&format!(
            "export const output_{}: Everything = {serde_bytes}\n",
            ts_name(case.name)
        ));
        if sent {
            // Exactly serde's bytes.
            assert_eq!(
                raw[0],
                format!(r#"{{"id":1,"ok":true,"data":{serde_bytes}}}"#),
                "{}",
                case.name
            );
        } else {
            assert_eq!(reply["error"]["field"], "response", "{}", case.name);
        }
        if (sent, schema) != (case.sent, case.schema) {
            disagreements.push(format!(
                "{}: (sent, schema) = {:?}, expected {:?}",
                case.name,
                (sent, schema),
                (case.sent, case.schema)
            ));
        }
        assert_eq!(
            sent == schema && schema == case.ts,
            case.why.is_empty(),
            "{}: a difference needs its reason",
            case.name
        );
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));

    // What main sends always has the tag: the output schema and the type
    // require it, and each map keyed by a unit enum is closed.
    let mut untagged = serde_json::to_value(sample()).expect("serializes");
    let tag = untagged
        .pointer_mut("/tagged")
        .and_then(Value::as_object_mut)
        .and_then(|tagged| tagged.remove("type"));
    assert_eq!(tag, Some(json!("Tagged")), "serde writes the tag");
    assert!(!response_schema.is_valid(&untagged));
    let mut wrong_tag = serde_json::to_value(sample()).expect("serializes");
    wrong_tag["tagged"]["type"] = json!("Other");
    assert!(!response_schema.is_valid(&wrong_tag));
    // A skipped `None` is absent, never null (`theme?: string`).
    let mut null_theme = serde_json::to_value(sample()).expect("serializes");
    null_theme["settings"]["theme"] = json!(null);
    assert!(!response_schema.is_valid(&null_theme));
    ts.push_str(&format!(
        "// @ts-expect-error: main skips a None\nexport const output_null_theme: Everything = {null_theme}\n"
    ));
    let mut unknown_level = serde_json::to_value(sample()).expect("serializes");
    unknown_level["byLevel"] = json!({"lowest": 1});
    assert!(!response_schema.is_valid(&unknown_level));
    ts.push_str(&format!(
        "// @ts-expect-error: main always writes the tag\nexport const output_untagged: Everything = {untagged}\n\
         // @ts-expect-error: the tag is the struct's name\nexport const output_wrong_tag: Everything = {wrong_tag}\n\
         // @ts-expect-error: the keys are the variants\nexport const output_unknown_level: Everything = {unknown_level}\n"
    ));

    // The type's verdicts: tsc fails on a refused value without its
    // directive, and on a directive whose value the type accepts.
    std::fs::write(dir.join("cases.ts"), ts).expect("write cases.ts");
    std::fs::write(
        dir.join("tsconfig.json"),
        r#"{ "compilerOptions": { "target": "ES2022", "lib": ["ES2022"], "types": [], "strict": true, "noEmit": true,
  "exactOptionalPropertyTypes": true, "noUncheckedIndexedAccess": true, "module": "ESNext", "moduleResolution": "Bundler",
  "skipLibCheck": true }, "files": ["cases.ts"] }
"#,
    )
    .expect("write tsconfig");
    let tsc = common::workspace_root().join("node_modules/typescript/bin/tsc");
    assert!(tsc.is_file(), "run `npm ci` in the repository root");
    let output = Command::new("node")
        .arg(&tsc)
        .args(["-p", "."])
        .current_dir(&dir)
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "the TypeScript types disagree (see {}):\n{}",
        Path::new(&dir).join("cases.ts").display(),
        common::output_text(&output)
    );
}

fn ts_name(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}
