//! The strings of lossless wide integers (`ipc_runtime::Wide<T>`): their
//! schema formats, ranges and patterns. The runtime validates against these
//! patterns and the code generator recognises `Wide` fields by them, so both
//! take them from here.

use std::sync::OnceLock;

/// One wide integer type's string form.
#[derive(Debug, Clone, Copy)]
pub struct WideFormat {
    /// The schema's `format`, as schemars names the number form.
    pub format: &'static str,
    /// The least value, in decimal.
    pub min: &'static str,
    /// The greatest value, in decimal.
    pub max: &'static str,
    /// Its place in [`WIDE_FORMATS`], where its pattern is kept.
    index: usize,
}

pub const UINT64: WideFormat = WideFormat {
    format: "uint64",
    min: "0",
    max: "18446744073709551615",
    index: 0,
};
pub const INT64: WideFormat = WideFormat {
    format: "int64",
    min: "-9223372036854775808",
    max: "9223372036854775807",
    index: 1,
};
pub const UINT128: WideFormat = WideFormat {
    format: "uint128",
    min: "0",
    max: "340282366920938463463374607431768211455",
    index: 2,
};
pub const INT128: WideFormat = WideFormat {
    format: "int128",
    min: "-170141183460469231731687303715884105728",
    max: "170141183460469231731687303715884105727",
    index: 3,
};

/// Every wide format.
pub const WIDE_FORMATS: [WideFormat; 4] = [UINT64, INT64, UINT128, INT128];

impl WideFormat {
    /// The schema `pattern` of exactly the canonical decimals in range
    /// (built once).
    pub fn pattern(self) -> &'static str {
        static PATTERNS: [OnceLock<String>; WIDE_FORMATS.len()] =
            [const { OnceLock::new() }; WIDE_FORMATS.len()];
        PATTERNS[self.index].get_or_init(|| canonical_range_pattern(self.min, self.max))
    }
}

/// The formats of wide strings, each with its pattern.
pub fn wide_formats() -> [(&'static str, &'static str); 4] {
    WIDE_FORMATS.map(|wide| (wide.format, wide.pattern()))
}

/// A regular expression of exactly the canonical decimals from `min` to
/// `max` (`min` is `0` or negative, `max` positive).
fn canonical_range_pattern(min: &str, max: &str) -> String {
    let mut alternatives = vec!["0".to_owned()];
    alternatives.extend(positive_up_to(max));
    if let Some(magnitude) = min.strip_prefix('-') {
        alternatives.push(format!("-(?:{})", positive_up_to(magnitude).join("|")));
    }
    format!("^(?:{})$", alternatives.join("|"))
}

/// Alternatives that match the decimals from 1 to `max`, without leading
/// zeros: every shorter length, then for each digit of `max` the numbers
/// that share its prefix and are smaller in that digit, then `max`.
fn positive_up_to(max: &str) -> Vec<String> {
    let digits: Vec<u8> = max.bytes().map(|b| b - b'0').collect();
    let len = digits.len();
    let mut alternatives = Vec::new();
    match len {
        0 | 1 => {}
        2 => alternatives.push("[1-9]".to_owned()),
        _ => alternatives.push(format!("[1-9][0-9]{{0,{}}}", len - 2)),
    }
    for (i, &digit) in digits.iter().enumerate() {
        let low = u8::from(i == 0);
        if digit > low {
            let rest = len - i - 1;
            let class = if digit - 1 == low {
                low.to_string()
            } else {
                format!("[{low}-{}]", digit - 1)
            };
            let tail = match rest {
                0 => String::new(),
                1 => "[0-9]".to_owned(),
                n => format!("[0-9]{{{n}}}"),
            };
            alternatives.push(format!("{}{class}{tail}", &max[..i]));
        }
    }
    alternatives.push(max.to_owned());
    alternatives
}
