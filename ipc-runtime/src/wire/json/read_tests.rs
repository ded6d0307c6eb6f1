//! The reader against serde_json: whatever it reads, serde_json reads the
//! same; what it declines, serde_json may read or refuse. And it declines
//! none of the common shapes.

use super::super::tests::json_value;
use super::*;
use proptest::prelude::*;
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::BTreeMap;

fn read<'de, T: Deserialize<'de>>(text: &'de str) -> Result<T> {
    let mut reader = TextReader::new(text);
    let value = T::deserialize(&mut reader)?;
    reader.end()?;
    Ok(value)
}

/// A value as serde_json writes it, which tells `-0.0` from `0.0` and every
/// float's bits apart.
fn written<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|error| format!("unwritable: {error}"))
}

/// Whatever the reader gives for `text`, serde_json gives too.
fn agrees<T>(text: &str) -> std::result::Result<bool, TestCaseError>
where
    T: for<'de> Deserialize<'de> + serde::Serialize + fmt::Debug,
{
    match read::<T>(text) {
        Ok(ours) => match serde_json::from_str::<T>(text) {
            Ok(theirs) => {
                prop_assert_eq!(written(&ours), written(&theirs), "text: {:?}", text);
                Ok(true)
            }
            Err(error) => Err(TestCaseError::fail(format!(
                "read {ours:?} from {text:?}, which serde_json refuses: {error}"
            ))),
        },
        Err(Declined) => Ok(false),
    }
}

#[derive(Debug, Deserialize, serde::Serialize, PartialEq)]
enum Shape {
    Dot,
    Circle(f64),
    Pair(i32, i32),
    Rect { w: u32, h: u32 },
}

#[derive(Debug, Deserialize, serde::Serialize, PartialEq)]
#[serde(tag = "kind")]
enum Tagged {
    A { n: u8 },
    B { text: String },
}

#[derive(Debug, Deserialize, serde::Serialize, PartialEq)]
#[serde(untagged)]
enum Either {
    Number(i64),
    Text(String),
    List(Vec<Either>),
}

#[derive(Debug, Deserialize, serde::Serialize, PartialEq)]
struct Record {
    id: u64,
    #[serde(default)]
    note: Option<String>,
    score: f32,
    delta: i16,
    flag: bool,
    letter: Option<char>,
    tags: Vec<String>,
    shape: Shape,
    tagged: Option<Tagged>,
    either: Option<Either>,
    pair: (u8, String),
    counts: BTreeMap<String, u32>,
    #[serde(default)]
    by_number: BTreeMap<u32, bool>,
    #[serde(default)]
    wide: Option<u128>,
    #[serde(default)]
    unit: (),
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

#[derive(Debug, Deserialize, serde::Serialize)]
struct WithRaw {
    raw: Box<RawValue>,
    after: u8,
}

const RECORD: &str = r#"{"id": 7, "note": "line\nbreak \u00e9 \ud83d\ude00", "score": 1.5,
    "delta": -3, "flag": true, "letter": "x", "tags": ["a", "b\"c"],
    "shape": {"Rect": {"w": 2, "h": 3}}, "tagged": {"kind": "B", "text": "t"},
    "either": [1, "two", [3]], "pair": [9, "nine"], "counts": {"k": 1, "\u006b2": 2},
    "unit": null, "extra": {"deep": [1.25e2, -0, null]}}"#;

#[test]
fn is_used_with_the_serde_json_of_this_build() {
    // jsonschema turns on serde_json's float_roundtrip: without it the
    // router would read every request with serde_json alone.
    assert!(reads_as_serde_json());
}

#[test]
fn reads_a_record_of_every_kind_as_serde_json_does() {
    let ours: Record = read(RECORD).expect("the reader reads the record");
    let theirs: Record = serde_json::from_str(RECORD).expect("serde_json reads it");
    assert_eq!(written(&ours), written(&theirs));
    assert_eq!(ours.note.as_deref(), Some("line\nbreak \u{e9} \u{1f600}"));
}

#[test]
fn reads_a_raw_value_as_its_text() {
    let text = r#"{"raw":  [1, {"a": "\n"}] , "after": 1}"#;
    let ours: WithRaw = read(text).expect("read");
    let theirs: WithRaw = serde_json::from_str(text).expect("serde_json");
    assert_eq!(ours.raw.get(), theirs.raw.get());
    assert_eq!(ours.raw.get(), r#"[1, {"a": "\n"}]"#);
}

#[test]
fn reads_shapes_serde_json_reads() {
    for text in [
        r#""Dot""#,
        r#"{"Circle": 2.5}"#,
        r#"{ "Pair" : [1, -2] }"#,
        r#"{"Rect": {"h": 1, "w": 2}}"#,
    ] {
        let ours = read::<Shape>(text).unwrap_or_else(|_| panic!("declined {text}"));
        let theirs: Shape = serde_json::from_str(text).expect("serde_json reads it");
        assert_eq!(ours, theirs, "{text}");
    }
    for text in [
        r#"[3, 4]"#,
        r#"{"Dot": 1}"#,
        r#"{"Circle": 1, "Dot": null}"#,
        r#""Circle""#,
    ] {
        assert!(read::<Shape>(text).is_err(), "{text}");
        assert!(serde_json::from_str::<Shape>(text).is_err(), "{text}");
    }
    // Borrowed when it has no escape, as serde_json borrows it.
    assert_eq!(read::<&str>(r#""plain""#).ok(), Some("plain"));
    assert!(read::<&str>(r#""new\nline""#).is_err());
    assert!(serde_json::from_str::<&str>(r#""new\nline""#).is_err());
    assert_eq!(
        read::<Cow<'_, str>>(r#""new\nline""#).ok().as_deref(),
        Some("new\nline")
    );
    let tagged: Tagged = serde_json::from_str(r#"{"n":1,"kind":"A"}"#).expect("json");
    assert_eq!(read::<Tagged>(r#"{"n":1,"kind":"A"}"#).ok(), Some(tagged));
}

#[test]
fn declines_what_serde_json_refuses_or_reads_its_own_way() {
    for text in [
        "",
        " ",
        "[1,]",
        r#"{"a":1,}"#,
        "[1 2]",
        "01",
        "1.",
        ".5",
        "1e",
        "-",
        "+1",
        "1e400",
        "1e-400",
        "18446744073709551616",
        "-9223372036854775809",
        "nul",
        "tru",
        "[",
        "{",
        r#"{"a"}"#,
        r#"{1:2}"#,
        "\"\u{1}\"",
        r#""\x""#,
        r#""\ud800""#,
        r#""\udc00""#,
        r#""\ud800\u0041""#,
        r#""\u12""#,
        "\"open",
        "[] []",
        "NaN",
        "Infinity",
    ] {
        assert!(read::<Value>(text).is_err(), "the reader read {text:?}");
    }
    // Nested as deep as serde_json allows, and one level more. A value
    // serde_json skips (a raw value, an ignored member) it skips at any
    // depth; the reader declines past its limit there too.
    for depth in [126, 127, 128, 200] {
        let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let theirs = serde_json::from_str::<Value>(&deep).is_ok();
        assert_eq!(read::<Value>(&deep).is_ok(), theirs, "{depth} levels");
        let skipped = format!(r#"{{"raw": {deep}, "after": 1}}"#);
        let ours = read::<WithRaw>(&skipped).is_ok();
        assert!(
            serde_json::from_str::<WithRaw>(&skipped).is_ok() || !ours,
            "{depth} levels skipped"
        );
        assert_eq!(ours, depth < 127, "{depth} levels skipped");
    }
    // Numbers as map keys and 128-bit integers are serde_json's to read.
    assert!(read::<BTreeMap<u32, bool>>(r#"{"1": true}"#).is_err());
    assert!(read::<u128>("1").is_err());
}

#[test]
fn reads_numbers_as_serde_json_visits_them() {
    for text in [
        "0",
        "-0",
        "-0.0",
        "0.0",
        "1",
        "-1",
        "18446744073709551615",
        "-9223372036854775808",
        "9223372036854775808",
        "1.5",
        "-2.5e-3",
        "1E5",
        "1e+5",
        "0.1",
        "123456789.123456789",
        "2.2250738585072014e-308",
        "1.7976931348623157e308",
        "5e-324",
    ] {
        let ours = read::<Value>(text).unwrap_or_else(|_| panic!("the reader declined {text}"));
        let theirs: Value = serde_json::from_str(text).expect("serde_json reads it");
        assert_eq!(written(&ours), written(&theirs), "{text}");
    }
}

/// `text` with whitespace between some of its tokens, as people write it.
fn spaced(text: &str, every: usize) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut in_string = false;
    let mut escaped = false;
    for (index, character) in text.chars().enumerate() {
        out.push(character);
        if in_string {
            match (escaped, character) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if character == '"' {
            in_string = true;
        } else if matches!(character, ',' | ':' | '[' | '{') && index % every == 0 {
            out.push_str(" \n\t");
        }
    }
    out
}

/// JSON-like text: pieces of valid JSON, cut and joined, and stray bytes.
fn json_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        json_value().prop_map(|value| written(&value)),
        Just("\\u".to_owned()),
        Just("\\ud83d".to_owned()),
        Just("\\udc00".to_owned()),
        Just("-0".to_owned()),
        Just("1e999".to_owned()),
        Just("00".to_owned()),
        Just(",".to_owned()),
        Just(":".to_owned()),
        Just("\"".to_owned()),
        Just("\u{1}".to_owned()),
        "[\\[\\]{}\",:0-9eE.+\\- ]{0,6}",
    ];
    proptest::collection::vec((piece, 0usize..40, 0usize..40), 1..5).prop_map(|pieces| {
        let mut text = String::new();
        for (piece, cut, keep) in pieces {
            let start = piece
                .char_indices()
                .map(|(at, _)| at)
                .nth(cut % 3)
                .unwrap_or(0);
            let end = piece
                .char_indices()
                .map(|(at, _)| at)
                .nth(start + keep)
                .unwrap_or(piece.len())
                .max(start);
            text.push_str(&piece[start..end]);
        }
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn reads_every_written_value_as_serde_json_does(value in json_value(), every in 1usize..5) {
        for text in [written(&value), spaced(&written(&value), every)] {
            // Written values are valid JSON with integers within 64 bits
            // and finite floats: the reader must not decline them.
            prop_assert!(agrees::<Value>(&text)?, "declined {:?}", text);
        }
    }

    #[test]
    fn reads_nothing_serde_json_refuses(text in json_like()) {
        agrees::<Value>(&text)?;
        agrees::<Vec<Value>>(&text)?;
        agrees::<Option<String>>(&text)?;
        agrees::<Either>(&text)?;
        agrees::<Shape>(&text)?;
        agrees::<(u8, i64, f64)>(&text)?;
        agrees::<BTreeMap<String, Option<bool>>>(&text)?;
    }

    #[test]
    fn reads_records_with_their_fields_changed(
        value in json_value(),
        field in prop::sample::select(&["id", "note", "score", "delta", "letter", "tags", "shape", "either", "pair", "counts", "unit"][..]),
    ) {
        let mut record: Value = serde_json::from_str(RECORD).expect("record");
        record[field] = value;
        agrees::<Record>(&written(&record))?;
    }

    #[test]
    fn reads_strings_with_escapes_anywhere_in_a_block(
        before in 0usize..140,
        escape in prop::sample::select(&["\\n", "\\\"", "\\\\", "\\u00e9", "\\ud83d\\ude00", "\\/", "\\t"][..]),
        after in 0usize..140,
    ) {
        let text = format!("\"{}{}{}\"", "a".repeat(before), escape, "b\u{e9}".repeat(after));
        prop_assert!(agrees::<String>(&text)?);
        prop_assert!(agrees::<Value>(&text)?);
    }
}
