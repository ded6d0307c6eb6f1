//! `pattern`s that are an anchored run of ASCII classes with bounded
//! repeats, the common shape of a contract's pattern
//! (`^[a-z][a-z0-9_]{2,15}$`, `^\+?[0-9 ]{6,20}$`): matched by a loop over
//! the bytes instead of the regex engine, whose setup is most of the cost
//! of a check on a short string (docs/adr/0072-class-run-patterns.md).
//!
//! Only what both ECMA 262 and the `regex` crate read the same way is
//! taken: literals and classes of ASCII characters, no negated class, no
//! shorthand (`\d`, `\w`, `\s`), no set operation, no `.`, group or
//! alternation. And only runs whose greedy match is exact: every
//! repeat of variable length is disjoint from all that follow it, so no
//! character it takes could have been the next item's. Anything else is
//! left to the regex, which the plan keeps for every other pattern.

/// Items matched in order, each a set of ASCII characters taken `min` to
/// `max` times, the whole string and nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ClassRun {
    items: Box<[Item]>,
    /// For each byte, bit `i` set when item `i`'s class holds it: one load
    /// a byte (none holds a byte of a longer character).
    members: Box<[u64; 256]>,
}

/// The most items a run has (one bit each in [`ClassRun::members`]).
const MAX_ITEMS: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Item {
    /// Bit `c` set for each ASCII character `c` in the class.
    set: u128,
    min: u32,
    max: u32,
}

/// The largest bound of a counted repeat taken (`{n,m}`); beyond it, the
/// regex.
const MAX_BOUND: u32 = 10_000;

/// Literal outside a class, unescaped: characters neither syntax reads as
/// an operator.
const PLAIN: &[u8] = b" _-,:;'\"/#%&=@!~<>";

/// Literal inside a class, unescaped: none starts a range, a nested class
/// or a set operation in either syntax.
const PLAIN_IN_CLASS: &[u8] = b" _.+*?()|{}$,:;/@#%!=\"'<>";

/// Escaped, a literal in both syntaxes (ECMA's syntax characters).
const ESCAPABLE: &[u8] = b"\\^$.*+?()[]{}|";

impl ClassRun {
    /// The run `pattern` (ECMA 262 source) is, when it is one that is
    /// matched exactly this way.
    pub(super) fn parse(pattern: &str) -> Option<Self> {
        let body = pattern.strip_prefix('^')?.strip_suffix('$')?;
        // `\$` would be a literal dollar, not the end.
        if !body.is_ascii() || body.ends_with('\\') {
            return None;
        }
        let bytes = body.as_bytes();
        let mut at = 0;
        let mut items = Vec::new();
        while at < bytes.len() {
            let set = match bytes[at] {
                b'[' => class(bytes, &mut at)?,
                b'\\' => {
                    let escaped = *bytes.get(at + 1).filter(|byte| ESCAPABLE.contains(byte))?;
                    at += 2;
                    bit(escaped)
                }
                byte if byte.is_ascii_alphanumeric() || PLAIN.contains(&byte) => {
                    at += 1;
                    bit(byte)
                }
                _ => return None,
            };
            let (min, max) = quantifier(bytes, &mut at)?;
            items.push(Item { set, min, max });
        }
        let exact = items.iter().enumerate().all(|(index, item)| {
            item.min == item.max
                || items[index + 1..]
                    .iter()
                    .all(|later| later.set & item.set == 0)
        });
        if !exact || items.len() > MAX_ITEMS {
            return None;
        }
        let mut members = Box::new([0; 256]);
        for (index, item) in items.iter().enumerate() {
            for byte in 0..128u8 {
                if item.set >> byte & 1 == 1 {
                    members[usize::from(byte)] |= 1 << index;
                }
            }
        }
        Some(ClassRun {
            items: items.into_boxed_slice(),
            members,
        })
    }

    /// Whether the whole of `text` is the run.
    pub(super) fn is_match(&self, text: &str) -> bool {
        // Every class is ASCII: a byte of a longer character is in none,
        // and each character taken is one byte.
        let bytes = text.as_bytes();
        let mut at = 0;
        for (index, item) in self.items.iter().enumerate() {
            let bit = 1 << index;
            let most = (bytes.len() - at).min(item.max as usize);
            let taken = bytes[at..at + most]
                .iter()
                .position(|&byte| self.members[usize::from(byte)] & bit == 0)
                .unwrap_or(most);
            if taken < item.min as usize {
                return false;
            }
            at += taken;
        }
        at == bytes.len()
    }
}

fn bit(byte: u8) -> u128 {
    1 << byte
}

/// `[...]` at `bytes[*at]`: ASCII literals, escaped syntax characters and
/// ranges between two letters or digits of the same kind.
fn class(bytes: &[u8], at: &mut usize) -> Option<u128> {
    let mut index = *at + 1;
    let mut set = 0;
    let mut first = true;
    loop {
        let byte = *bytes.get(index)?;
        match byte {
            b']' if !first => break,
            // A dash is a literal first or last, else it must make a range.
            b'-' if first || bytes.get(index + 1) == Some(&b']') => {
                set |= bit(b'-');
                index += 1;
            }
            b'\\' => {
                let escaped = *bytes
                    .get(index + 1)
                    .filter(|byte| ESCAPABLE.contains(byte) || **byte == b'-')?;
                set |= bit(escaped);
                index += 2;
            }
            low if low.is_ascii_alphanumeric() => {
                if bytes.get(index + 1) == Some(&b'-') && bytes.get(index + 2) != Some(&b']') {
                    let high = *bytes.get(index + 2)?;
                    let same_kind = (low.is_ascii_digit() && high.is_ascii_digit())
                        || (low.is_ascii_lowercase() && high.is_ascii_lowercase())
                        || (low.is_ascii_uppercase() && high.is_ascii_uppercase());
                    if !same_kind || low > high {
                        return None;
                    }
                    set |= (low..=high).fold(0, |set, byte| set | bit(byte));
                    index += 3;
                } else {
                    set |= bit(low);
                    index += 1;
                }
            }
            byte if PLAIN_IN_CLASS.contains(&byte) => {
                set |= bit(byte);
                index += 1;
            }
            // `^` (a negation first, a literal after), `[`, `&`, `~`, `-`
            // between other members, controls.
            _ => return None,
        }
        first = false;
    }
    *at = index + 1;
    Some(set)
}

/// The repeat after an item: `?`, `*`, `+`, `{n}`, `{n,}`, `{n,m}` or none.
/// A lazy one (`+?`) is left to the regex.
fn quantifier(bytes: &[u8], at: &mut usize) -> Option<(u32, u32)> {
    let (min, max) = match bytes.get(*at) {
        Some(b'?') => (0, 1),
        Some(b'*') => (0, u32::MAX),
        Some(b'+') => (1, u32::MAX),
        Some(b'{') => {
            let close = *at + bytes[*at..].iter().position(|&byte| byte == b'}')?;
            let inside = std::str::from_utf8(&bytes[*at + 1..close]).ok()?;
            // Digits only: `parse` would also take a sign.
            let number = |digits: &str| -> Option<u32> {
                if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
                    return None;
                }
                digits.parse().ok().filter(|&value| value <= MAX_BOUND)
            };
            let bounds = match inside.split_once(',') {
                None => number(inside).map(|exact| (exact, exact)),
                Some((low, "")) => number(low).map(|low| (low, u32::MAX)),
                Some((low, high)) => number(low).zip(number(high)),
            };
            let (min, max) = bounds.filter(|(min, max)| min <= max)?;
            *at = close;
            (min, max)
        }
        _ => return Some((1, 1)),
    };
    *at += 1;
    if bytes.get(*at) == Some(&b'?') {
        return None;
    }
    Some((min, max))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The regex the plan would use otherwise, compiled as the validator
    /// compiles it.
    fn regex(pattern: &str) -> regex::Regex {
        let translated = jsonschema_regex::to_rust_regex(pattern).expect("translates");
        regex::Regex::new(&translated).expect("compiles")
    }

    const TAKEN: &[&str] = &[
        r"^[a-z][a-z0-9_]{2,15}$",
        r"^\+?[0-9 ]{6,20}$",
        r"^[A-Z]{2}[0-9]{4}$",
        r"^[0-9]+$",
        r"^[a-f0-9]{8}-[a-f0-9]{4}$",
        r"^v[0-9]*$",
        r"^[-a-z]+$",
        r"^[a-z-]{1,3}$",
        r"^\.?[a-z]$",
        r"^ab?c$",
        r"^a{3}$",
        r"^a{0,}$",
        r"^[\]\[]x$",
        r"^[a-c\-]{2}z$",
        r"^$",
        r"^[.]{1,2}[0-9]$",
        r"^\$[0-9]{1,5}$",
        r"^[A-Za-z0-9_]{1,64}$",
        r"^#[0-9a-f]{6}$",
        r"^<[a-z]{1,8}>$",
        r#"^a&b~c'd"e/f%g=h!i:j;k,l@m-n o$"#,
        r"^[(){}|?*+$]{1,4}[,:;/@#%!='<>]$",
    ];

    const REFUSED: &[&str] = &[
        // Not anchored at both ends.
        r"[a-z]+$",
        r"^[a-z]+",
        r"^a\$",
        // Not exact greedily: the repeat could give its last character back.
        r"^[a-z]+[a-z]$",
        r"^[a-z]*x$",
        r"^a?a$",
        r"^[0-9]{1,3}[0-9]{2}$",
        // What the two syntaxes read differently, or what is not a class run.
        r"^[^a-z]+$",
        r"^\d+$",
        r"^\w+$",
        r"^\s*$",
        r"^.+$",
        r"^(ab)+$",
        r"^a|b$",
        r"^[a&&b]$",
        r"^[a~~b]$",
        r"^[a-]b]$",
        r"^[z-a]$",
        r"^[a-Z]$",
        r"^[0-z]$",
        r"^a+?$",
        r"^a{2,1}$",
        r"^a{99999}$",
        r"^a{,3}$",
        r"^\<a$",
        r"^\/$",
        r"^[]$",
        r"^café$",
        "^a\u{7}$",
    ];

    #[test]
    fn what_is_taken_and_what_is_left_to_the_regex() {
        for pattern in TAKEN {
            assert!(ClassRun::parse(pattern).is_some(), "{pattern}");
        }
        for pattern in REFUSED {
            assert!(ClassRun::parse(pattern).is_none(), "{pattern}");
        }
    }

    #[test]
    fn known_answers() {
        let handle = ClassRun::parse(r"^[a-z][a-z0-9_]{2,15}$").expect("a run");
        assert!(handle.is_match("ada_lovelace"));
        assert!(!handle.is_match("ad"));
        assert!(!handle.is_match("Ada"));
        assert!(!handle.is_match("ada_lovelace_and_babbage"));
        assert!(!handle.is_match("adé"));
        let phone = ClassRun::parse(r"^\+?[0-9 ]{6,20}$").expect("a run");
        assert!(phone.is_match("+44 20 7946 0958"));
        assert!(phone.is_match("207946"));
        assert!(!phone.is_match("++44 20 7946"));
        assert!(!phone.is_match("+44 20 7946 0958\n"));
    }

    /// Strings near each pattern: its own characters, their neighbours,
    /// newlines and characters of more than one byte.
    fn near() -> impl Strategy<Value = String> {
        let alphabet = prop::sample::select(vec![
            'a',
            'b',
            'c',
            'f',
            'g',
            'v',
            'x',
            'z',
            'A',
            'Z',
            '0',
            '1',
            '9',
            '_',
            '-',
            ' ',
            '+',
            '.',
            '$',
            '[',
            ']',
            '#',
            '<',
            '>',
            '&',
            '~',
            '(',
            '{',
            '|',
            '"',
            '\n',
            '\u{e9}',
            '\u{212a}',
            '\u{1f600}',
            '\u{0}',
        ]);
        proptest::collection::vec(alphabet, 0..24).prop_map(String::from_iter)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]
        #[test]
        fn a_run_decides_as_the_regex(index in 0..TAKEN.len(), text in near()) {
            let pattern = TAKEN[index];
            let run = ClassRun::parse(pattern).expect("a run");
            prop_assert_eq!(run.is_match(&text), regex(pattern).is_match(&text), "{} on {:?}", pattern, text);
        }

        // Matches are rare among random strings: built ones, and their
        // one-character edits.
        #[test]
        fn a_run_decides_as_the_regex_near_its_matches(
            index in 0..TAKEN.len(),
            counts in proptest::collection::vec(0u32..24, 64),
            edit in 0usize..40,
            replacement in near(),
        ) {
            let pattern = TAKEN[index];
            let run = ClassRun::parse(pattern).expect("a run");
            let mut text = String::new();
            for (item, count) in run.items.iter().zip(&counts) {
                let taken = (*count).clamp(item.min, item.max.min(item.min + 24));
                let members: Vec<u8> = (0..128u8).filter(|byte| item.set >> byte & 1 == 1).collect();
                for n in 0..taken {
                    text.push(char::from(members[(n as usize * 7 + edit) % members.len()]));
                }
            }
            prop_assert!(run.is_match(&text), "{} on {:?}", pattern, text);
            prop_assert_eq!(regex(pattern).is_match(&text), true);
            let mut edited: Vec<char> = text.chars().collect();
            if !edited.is_empty() {
                let at = edit % edited.len();
                edited.splice(at..=at, replacement.chars().take(2));
            }
            let edited = String::from_iter(edited);
            prop_assert_eq!(run.is_match(&edited), regex(pattern).is_match(&edited), "{} on {:?}", pattern, edited);
        }
    }
}
