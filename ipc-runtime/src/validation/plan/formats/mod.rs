//! The asserted `format`s the plan checks itself, each by the rule the
//! validator applies (docs/adr/0070-plan-checks-formats.md).

mod jsonschema;
mod rfc3986;

/// The check of the format `name`, as the validator (draft 2020-12, the
/// runtime's options, no email options, no `idna` feature) decides it;
/// `None` for a format the plan leaves to a validator of its own (`regex`,
/// which the validator decides by its ECMA 262 engine and a cache of its
/// own).
pub(super) fn check(name: &str) -> Option<fn(&str) -> bool> {
    Some(match name {
        // The standard library's parsers are the validator's very check.
        "ipv4" => |text| text.parse::<std::net::Ipv4Addr>().is_ok(),
        "ipv6" => |text| text.parse::<std::net::Ipv6Addr>().is_ok(),
        "uuid" => is_hyphenated_uuid,
        "date" => jsonschema::is_valid_date,
        "time" => jsonschema::is_valid_time,
        "date-time" => jsonschema::is_valid_datetime,
        "duration" => jsonschema::is_valid_duration,
        "email" => is_email,
        "hostname" => jsonschema::is_valid_hostname,
        "uri" => is_uri,
        "uri-reference" => jsonschema::is_valid_uri_reference,
        "iri" => jsonschema::is_valid_iri,
        "iri-reference" => jsonschema::is_valid_iri_reference,
        "uri-template" => jsonschema::is_valid_uri_template,
        "json-pointer" => jsonschema::is_valid_json_pointer,
        "relative-json-pointer" => jsonschema::is_valid_relative_json_pointer,
        _ => return None,
    })
}

/// `email`: a sure yes for the common shape, else the validator's rule.
fn is_email(text: &str) -> bool {
    is_plain_email(text.as_bytes()) || jsonschema::is_valid_email(text, None)
}

/// Whether `bytes` is `local@domain` where `local` is 1 to 64 of
/// `[A-Za-z0-9_+-]` in dot-separated non-empty runs, and `domain` a plain
/// host name ([`is_plain_host`]). The validator's rule accepts every such
/// string: no ` <` (so no display text) and one `@` (so `email_address`
/// splits there), an unquoted dot-atom local part of at most 64 bytes, a
/// text domain of at most 254 bytes whose sub-domains start and end with
/// a letter or digit and are atoms, and a host name with no A-label to
/// decode. Anything else is left to that rule.
fn is_plain_email(bytes: &[u8]) -> bool {
    let mut after_dot = true;
    for (index, &byte) in bytes.iter().enumerate() {
        if CLASSES[usize::from(byte)] & LOCAL != 0 {
            after_dot = false;
            continue;
        }
        match byte {
            b'.' if !after_dot => after_dot = true,
            b'@' => return index <= 64 && !after_dot && is_plain_host(&bytes[index + 1..]),
            _ => return false,
        }
    }
    false
}

/// Whether `host` is 1 to 253 bytes of labels of 1 to 63 of
/// `[A-Za-z0-9-]`, starting and ending with a letter or digit, with no
/// `--` at their third byte (the mark of an A-label, which the validator's
/// host name rule decodes), joined by single dots.
fn is_plain_host(host: &[u8]) -> bool {
    if host.is_empty() || host.len() > 253 {
        return false;
    }
    let mut start = 0;
    for (index, &byte) in host.iter().enumerate() {
        if CLASSES[usize::from(byte)] & HOST == 0 {
            if byte != b'.' || !is_plain_label(&host[start..index]) {
                return false;
            }
            start = index + 1;
        }
    }
    is_plain_label(&host[start..])
}

/// A label of bytes already known to be `[A-Za-z0-9-]`.
fn is_plain_label(label: &[u8]) -> bool {
    match (label.first(), label.last()) {
        (Some(&first), Some(&last)) => {
            label.len() <= 63 && first != b'-' && last != b'-' && label.get(2..4) != Some(b"--")
        }
        _ => false,
    }
}

/// `uri`: a sure yes for the common shape, else the validator's rule.
fn is_uri(text: &str) -> bool {
    is_plain_uri(text.as_bytes()) || jsonschema::is_valid_uri(text)
}

/// Whether `bytes` is `scheme://host[:port]rest` with a `scheme` of
/// `[A-Za-z][A-Za-z0-9+.-]*`, a `host` of RFC 3986 `unreserved` and
/// `sub-delims` (no percent-encoding, no IP literal), a `port` of digits,
/// and a `rest` that starts with `/`, `?` or `#` (or is empty) and holds
/// only `pchar`s, `/` and `?` besides at most one `#`. The validator's
/// RFC 3986 scan (`rfc3986::check`) accepts every such string: its
/// authority ends where `rest` starts, holds no `@` and has a digit port,
/// the path ends at the first `?` or `#`, the query at the first `#`, and
/// the fragment at the end. Anything else is left to that scan.
fn is_plain_uri(bytes: &[u8]) -> bool {
    let Some(scheme) = bytes
        .iter()
        .position(|&byte| CLASSES[usize::from(byte)] & SCHEME == 0)
    else {
        return false;
    };
    if scheme == 0 || !bytes[0].is_ascii_alphabetic() || !bytes[scheme..].starts_with(b"://") {
        return false;
    }
    let authority = &bytes[scheme + 3..];
    let mut at = authority
        .iter()
        .position(|&byte| CLASSES[usize::from(byte)] & REG_NAME == 0)
        .unwrap_or(authority.len());
    if authority.get(at) == Some(&b':') {
        at += 1;
        while authority.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
    }
    let rest = &authority[at..];
    if !matches!(rest.first(), None | Some(b'/' | b'?' | b'#')) {
        return false;
    }
    let mut fragment = false;
    for &byte in rest {
        if CLASSES[usize::from(byte)] & QUERY == 0 {
            if byte != b'#' || fragment {
                return false;
            }
            fragment = true;
        }
    }
    true
}

/// Bytes of an unquoted local part (besides `.`): `[A-Za-z0-9_+-]`.
const LOCAL: u8 = 1;
/// Bytes of a host name label: `[A-Za-z0-9-]`.
const HOST: u8 = 2;
/// Bytes of a URI scheme: `[A-Za-z0-9+.-]`.
const SCHEME: u8 = 4;
/// RFC 3986 `unreserved` and `sub-delims`: a `reg-name` without
/// percent-encodings.
const REG_NAME: u8 = 8;
/// RFC 3986 `pchar` (without percent-encodings), `/` and `?`: a query's
/// or a fragment's bytes.
const QUERY: u8 = 16;

const CLASSES: [u8; 256] = {
    let mut table = [0; 256];
    let mut byte = 0;
    while byte < 128 {
        let b = byte as u8;
        let alphanumeric = b.is_ascii_alphanumeric();
        let sub_delim = matches!(
            b,
            b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
        );
        let reg_name = alphanumeric || matches!(b, b'-' | b'.' | b'_' | b'~') || sub_delim;
        let mut class = 0;
        if alphanumeric || matches!(b, b'_' | b'+' | b'-') {
            class |= LOCAL;
        }
        if alphanumeric || b == b'-' {
            class |= HOST;
        }
        if alphanumeric || matches!(b, b'+' | b'.' | b'-') {
            class |= SCHEME;
        }
        if reg_name {
            class |= REG_NAME;
        }
        if reg_name || matches!(b, b':' | b'@' | b'/' | b'?') {
            class |= QUERY;
        }
        table[byte] = class;
        byte += 1;
    }
    table
};

/// The hyphenated form `8-4-4-4-12` of hexadecimal digits in either case,
/// which is what the validator's UUID parser accepts.
fn is_hyphenated_uuid(text: &str) -> bool {
    let Ok(bytes) = <&[u8; 36]>::try_from(text.as_bytes()) else {
        return false;
    };
    let word =
        |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let pair = |low: usize, high: usize| u64::from(word(low)) | u64::from(word(high)) << 32;
    bytes[8] == b'-'
        && bytes[13] == b'-'
        && bytes[18] == b'-'
        && bytes[23] == b'-'
        && all_hex(pair(0, 4))
        && all_hex(pair(9, 14))
        && all_hex(pair(19, 24))
        && all_hex(pair(28, 32))
}

/// Whether each of the eight bytes of `word` is an ASCII hexadecimal digit,
/// eight at a time: for bytes below 0x80, adding `0x80 - a` to each sets
/// its top bit exactly when it is at least `a`, with no carry into the
/// next byte.
fn all_hex(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let at_least = |word: u64, low: u8| word.wrapping_add(ONES * u64::from(0x80 - low)) & HIGH;
    let above = |word: u64, high: u8| word.wrapping_add(ONES * u64::from(0x7f - high)) & HIGH;
    // `A`-`F` and `a`-`f` are the bytes that bit 5 maps into `a`-`f`.
    let lower = word | (ONES * 0x20);
    let digit = at_least(word, b'0') & !above(word, b'9');
    let letter = at_least(lower, b'a') & !above(lower, b'f');
    word & HIGH == 0 && (digit | letter) == HIGH
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_hex_digits_at_a_time_agree_with_one_at_a_time() {
        let mut samples: Vec<[u8; 8]> = Vec::new();
        for byte in 0..=255u8 {
            for at in 0..8 {
                let mut word = *b"0aF9c3E7";
                word[at] = byte;
                samples.push(word);
            }
        }
        for word in samples {
            assert_eq!(
                all_hex(u64::from_le_bytes(word)),
                word.iter().all(u8::is_ascii_hexdigit),
                "{word:?}"
            );
        }
    }

    #[test]
    fn the_sure_yes_shortcuts_only_say_yes_where_the_rule_does() {
        for email in ["a@b", "ada.l+x_y-z@example.com", "a@b-c.d0", "x@xn-a.b"] {
            assert!(is_plain_email(email.as_bytes()), "{email}");
            assert!(jsonschema::is_valid_email(email, None), "{email}");
        }
        for email in [
            "a..b@c",
            ".a@b",
            "a.@b",
            "a@b.",
            "a@-b",
            "a@ab--c",
            "\"a\"@b",
            "a@[1.2.3.4]",
        ] {
            assert!(!is_plain_email(email.as_bytes()), "{email}");
        }
        for uri in [
            "http://a",
            "h+t.t-p://a.b:80/c?d=e/f?#g?/",
            "x://",
            "x://:/",
            "s://a!$&'()*+,;=b",
        ] {
            assert!(is_plain_uri(uri.as_bytes()), "{uri}");
            assert!(jsonschema::is_valid_uri(uri), "{uri}");
        }
        for uri in [
            "a:b",
            "1a://b",
            "a://b@c",
            "a://b:1:2",
            "a://b#c#d",
            "a://b/%20",
            "a://[::1]",
        ] {
            assert!(!is_plain_uri(uri.as_bytes()), "{uri}");
        }
    }
}
