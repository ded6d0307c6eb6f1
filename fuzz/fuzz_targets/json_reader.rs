//! The runtime's JSON reader against serde_json: whatever the reader reads,
//! serde_json reads as the same value (written back by serde_json, which
//! tells every float's bits apart); what it declines, serde_json reads or
//! refuses on its own. The first byte picks the type; the rest is the text.

#![no_main]

use std::collections::BTreeMap;

use ipc_runtime::fuzzing::read_json;
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

#[derive(Debug, Serialize, Deserialize)]
enum External {
    Unit,
    Newtype(f32),
    Tuple(i8, String),
    Struct { a: Option<u16>, b: char },
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind")]
enum Internal {
    One { n: i64 },
    Two { text: String },
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum Untagged {
    Number(f64),
    Text(String),
    Many(Vec<Untagged>),
    Object(BTreeMap<String, bool>),
}

#[derive(Debug, Serialize, Deserialize)]
struct Record {
    id: u64,
    #[serde(default)]
    note: Option<String>,
    ratio: f32,
    external: Option<External>,
    internal: Option<Internal>,
    untagged: Option<Untagged>,
    pair: Option<(u8, bool)>,
    raw: Option<Box<RawValue>>,
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

/// Reads `text` both ways and compares.
fn agree<T: DeserializeOwned + Serialize + std::fmt::Debug>(text: &str) {
    let Some(ours) = read_json::<T>(text) else {
        return;
    };
    let theirs: T = serde_json::from_str(text).unwrap_or_else(|error| {
        panic!("read {ours:?} from {text:?}, which serde_json refuses: {error}")
    });
    let (ours, theirs) = (serde_json::to_string(&ours), serde_json::to_string(&theirs));
    assert_eq!(ours.ok(), theirs.ok(), "text: {text:?}");
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match pick % 6 {
        0 => agree::<Value>(text),
        1 => agree::<Record>(text),
        2 => agree::<Vec<External>>(text),
        3 => agree::<Untagged>(text),
        4 => agree::<(f32, f64, i64, u64)>(text),
        _ => agree::<BTreeMap<String, Vec<Option<String>>>>(text),
    }
});
