//! Lossless 64- and 128-bit integers, as an opt-in per field.
//!
//! By default integers travel as JSON numbers and must be safe integers
//! (|n| <= 2^53 - 1). A field of type [`Wide<T>`] (`T` one of `u64`,
//! `i64`, `u128`, `i128`) carries the whole range of `T` instead, exactly,
//! as a canonical decimal string: `"18446744073709551615"`, `"-42"`, `"0"`.
//! Canonical means one spelling per number, so no leading zeros, no `+`,
//! no spaces and no `-0`; anything else, and any number outside `T`'s
//! range, is refused with a message that says which rule it breaks. The
//! schema says the same (a string with `format` `uint64`, `int64`,
//! `uint128` or `int128` and a `pattern` of exactly the canonical decimals
//! in range), and the generated TypeScript type is `bigint`, converted to
//! and from the string by the generated API. See docs/adr/0050.

use ipc_meta::wide;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// An integer carried exactly, as a canonical decimal string (see the
/// module documentation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Wide<T>(pub T);

impl<T> Wide<T> {
    /// The integer.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Wide<T> {
    fn from(value: T) -> Self {
        Wide(value)
    }
}

impl<T: fmt::Display> fmt::Display for Wide<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

mod sealed {
    pub trait Sealed {}
}

/// The integer types [`Wide`] carries.
pub trait WideInteger: sealed::Sealed + Copy + fmt::Display + FromStr {
    /// The schema's `format`, as schemars names the number form.
    const FORMAT: &'static str;
    /// The Rust type's name, for messages.
    const NAME: &'static str;
    /// The least value, in decimal.
    const MIN: &'static str;
    /// The greatest value, in decimal.
    const MAX: &'static str;
    /// The schema `pattern` of the canonical decimals in range.
    fn pattern() -> &'static str;
}

macro_rules! wide_integer {
    ($ty:ty, $format:expr) => {
        impl sealed::Sealed for $ty {}

        impl WideInteger for $ty {
            const FORMAT: &'static str = $format.format;
            const NAME: &'static str = stringify!($ty);
            const MIN: &'static str = $format.min;
            const MAX: &'static str = $format.max;

            fn pattern() -> &'static str {
                $format.pattern()
            }
        }
    };
}

wide_integer!(u64, wide::UINT64);
wide_integer!(i64, wide::INT64);
wide_integer!(u128, wide::UINT128);
wide_integer!(i128, wide::INT128);

pub use wide::wide_formats;

/// Why `text` is not a canonical decimal of `T`, or `None` when it is one.
pub fn why_not_canonical<T: WideInteger>(text: &str) -> Option<String> {
    let reason = if text.is_empty() {
        "it is empty"
    } else if text.chars().any(char::is_whitespace) {
        "it contains spaces"
    } else if text.starts_with('+') {
        "it has a `+` sign"
    } else {
        let unsigned = T::MIN == "0";
        let digits = match text.strip_prefix('-') {
            Some(_) if unsigned => "",
            Some(digits) => digits,
            None => text,
        };
        if text.starts_with('-') && unsigned {
            "it is negative"
        } else if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            "it is not a decimal integer"
        } else if digits.len() > 1 && digits.starts_with('0') {
            "it has a leading zero"
        } else if text == "-0" {
            "`-0` is written `0`"
        } else if text.parse::<T>().is_err() {
            "it is out of range"
        } else {
            return None;
        }
    };
    Some(format!(
        "\"{}\" is not a canonical {} decimal string ({} to {}): {reason}",
        crate::wire::clip(text, 48),
        T::NAME,
        T::MIN,
        T::MAX
    ))
}

/// The message for a string that fails a [`Wide`] pattern, when `pattern`
/// is one.
pub(crate) fn explain_pattern(pattern: &str, text: &str) -> Option<(String, String)> {
    let expected = |name: &str| format!("canonical decimal string of a {name}");
    if pattern == u64::pattern() {
        Some((why_not_canonical::<u64>(text)?, expected(u64::NAME)))
    } else if pattern == i64::pattern() {
        Some((why_not_canonical::<i64>(text)?, expected(i64::NAME)))
    } else if pattern == u128::pattern() {
        Some((why_not_canonical::<u128>(text)?, expected(u128::NAME)))
    } else if pattern == i128::pattern() {
        Some((why_not_canonical::<i128>(text)?, expected(i128::NAME)))
    } else {
        None
    }
}

impl<T: WideInteger> Serialize for Wide<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de, T: WideInteger> Deserialize<'de> for Wide<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(WideVisitor(std::marker::PhantomData))
    }
}

struct WideVisitor<T>(std::marker::PhantomData<T>);

impl<T: WideInteger> Visitor<'_> for WideVisitor<T> {
    type Value = Wide<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a canonical decimal string of a {}", T::NAME)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Wide<T>, E> {
        if let Some(message) = why_not_canonical::<T>(text) {
            return Err(E::custom(message));
        }
        text.parse()
            .map(Wide)
            .map_err(|_| E::custom(format!("\"{text}\" is out of range")))
    }
}

impl<T: WideInteger> JsonSchema for Wide<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        format!("Wide_{}", T::NAME).into()
    }

    fn schema_id() -> Cow<'static, str> {
        format!("ipc_runtime::Wide<{}>", T::NAME).into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": T::FORMAT,
            "pattern": T::pattern(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regex(pattern: &str) -> impl Fn(&str) -> bool {
        let validator = crate::validation::compile_schema(
            &serde_json::json!({"type": "string", "pattern": pattern}),
        )
        .expect("pattern compiles");
        move |text| validator.is_valid(&serde_json::json!(text))
    }

    /// Near every edge of every type, the pattern, the parser and the
    /// canonical check agree.
    fn agrees<T: WideInteger + PartialEq + fmt::Debug>(samples: &[String]) {
        let matches = regex(T::pattern());
        for text in samples {
            let canonical = why_not_canonical::<T>(text).is_none();
            assert_eq!(matches(text), canonical, "{} {text:?}", T::NAME);
            let parsed: Result<Wide<T>, _> = serde_json::from_value(serde_json::json!(text));
            assert_eq!(parsed.is_ok(), canonical, "{} {text:?}", T::NAME);
            if let Ok(parsed) = parsed {
                assert_eq!(parsed.0.to_string(), *text, "round trip");
                assert_eq!(
                    serde_json::to_value(parsed).expect("serializes"),
                    serde_json::json!(text)
                );
            }
        }
    }

    fn samples() -> Vec<String> {
        let mut samples: Vec<String> = [
            "0", "1", "9", "10", "-1", "-0", "00", "01", "+1", " 1", "1 ", "1e3", "1.0", "", "-",
            "--1", "0x10", "١",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        for edge in [
            i128::from(u64::MAX),
            i128::from(i64::MAX),
            i128::from(i64::MIN),
            i128::MAX,
            i128::MIN,
            9_007_199_254_740_993,
        ] {
            for delta in [-11i128, -1, 0, 1, 10] {
                if let Some(n) = edge.checked_add(delta) {
                    samples.push(n.to_string());
                }
            }
        }
        samples.push(u128::MAX.to_string());
        samples.push((u128::MAX - 1).to_string());
        samples.push(format!("{}0", u128::MAX));
        samples.push("340282366920938463463374607431768211456".to_owned());
        samples.push("99999999999999999999".to_owned());
        samples.push("18446744073709551616".to_owned());
        samples.push("18446744073709551609".to_owned());
        samples.push("28446744073709551615".to_owned());
        samples
    }

    #[test]
    fn patterns_accept_exactly_the_canonical_decimals_in_range() {
        let samples = samples();
        agrees::<u64>(&samples);
        agrees::<i64>(&samples);
        agrees::<u128>(&samples);
        agrees::<i128>(&samples);
    }

    #[test]
    fn refusals_say_which_rule_is_broken() {
        let reason = |text: &str| why_not_canonical::<u64>(text).expect("refused");
        assert!(
            reason("007").ends_with("it has a leading zero"),
            "{}",
            reason("007")
        );
        assert!(reason("+7").ends_with("it has a `+` sign"));
        assert!(reason(" 7").ends_with("it contains spaces"));
        assert!(reason("-7").ends_with("it is negative"));
        assert!(reason("18446744073709551616").ends_with("it is out of range"));
        assert_eq!(
            reason("7.5"),
            "\"7.5\" is not a canonical u64 decimal string (0 to 18446744073709551615): it is not a decimal integer"
        );
        assert!(
            why_not_canonical::<i64>("-0")
                .expect("refused")
                .ends_with("`-0` is written `0`")
        );
        let error = serde_json::from_str::<Wide<u64>>("7").expect_err("a number");
        assert!(
            error
                .to_string()
                .contains("expected a canonical decimal string of a u64"),
            "{error}"
        );
    }
}
