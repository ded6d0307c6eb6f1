//! Compile-time checks of the names a user writes explicitly. The default
//! names are derived at registration time by `ipc_runtime::naming`, the
//! single place that derives them.

/// Channel names: a letter, then letters, digits and `_ . : / -`, at most
/// 128 characters. `ipc_runtime::naming::check_channel` applies the same
/// rule when it registers contracts (a test holds the two to it).
pub(crate) fn check_channel(channel: &str) -> Result<(), String> {
    const ALLOWED: &str = "letters, digits, `_`, `.`, `:`, `/` and `-`";
    let Some(first) = channel.chars().next() else {
        return Err("a channel name cannot be empty".to_owned());
    };
    if channel.len() > 128 {
        return Err(format!(
            "a channel name has at most 128 characters, this one has {}",
            channel.len()
        ));
    }
    if !first.is_ascii_alphabetic() {
        return Err(format!(
            "a channel name starts with an ASCII letter, not `{first}`"
        ));
    }
    if let Some(bad) = channel
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "_.:/-".contains(*c)))
    {
        return Err(format!(
            "`{}` is not allowed in a channel name (allowed: {ALLOWED})",
            bad.escape_default()
        ));
    }
    Ok(())
}

/// Method names and namespaces become TypeScript property names.
pub(crate) fn check_ts_identifier(what: &str, name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let valid_start = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$');
    if !valid_start || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
        return Err(format!(
            "`{name}` is not a valid {what}: use an ASCII identifier such as `saveNote`"
        ));
    }
    if matches!(name, "__proto__" | "constructor" | "prototype") {
        return Err(format!("`{name}` is reserved and cannot be a {what}"));
    }
    Ok(())
}

/// Error codes: SCREAMING_SNAKE_CASE, never in the framework's reserved space.
pub(crate) fn check_error_code(code: &str) -> Result<(), String> {
    let mut chars = code.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        return Err(format!(
            "`{code}` is not a valid error code: use SCREAMING_SNAKE_CASE such as `NOT_FOUND`"
        ));
    }
    if code.starts_with("IPC_") || code == "INTERNAL_ERROR" {
        return Err(format!(
            "`{code}` is reserved for framework errors (codes starting with `IPC_` and `INTERNAL_ERROR`)"
        ));
    }
    Ok(())
}

/// `NotFound` -> `NOT_FOUND`, `HTTPError` -> `HTTP_ERROR`.
pub(crate) fn screaming_snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (index, &c) in chars.iter().enumerate() {
        if c == '_' {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            continue;
        }
        if c.is_uppercase() && index > 0 {
            let previous = chars[index - 1];
            let next_is_lower = chars.get(index + 1).is_some_and(|n| n.is_lowercase());
            if (previous.is_lowercase()
                || previous.is_ascii_digit()
                || (previous.is_uppercase() && next_is_lower))
                && !out.ends_with('_')
            {
                out.push('_');
            }
        }
        out.extend(c.to_uppercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screaming_snake_case_splits_words_and_acronyms() {
        assert_eq!(screaming_snake_case("NotFound"), "NOT_FOUND");
        assert_eq!(screaming_snake_case("HTTPError"), "HTTP_ERROR");
        assert_eq!(screaming_snake_case("Conflict"), "CONFLICT");
        assert_eq!(screaming_snake_case("Too_Long"), "TOO_LONG");
        assert_eq!(screaming_snake_case("Version2Missing"), "VERSION2_MISSING");
    }

    #[test]
    fn channels_are_checked() {
        assert!(check_channel("notes:save").is_ok());
        assert!(check_channel("app/notes.v2-save_x").is_ok());
        assert!(check_channel("").is_err());
        assert!(check_channel("9notes").is_err());
        assert!(check_channel("notes save").is_err());
        assert!(check_channel(&"a".repeat(129)).is_err());
    }

    /// The runtime applies the channel rule again and derives words the
    /// same way; a proc-macro crate cannot share its functions, so the two
    /// copies are held to the same answers here.
    #[test]
    fn the_runtime_applies_the_same_rules() {
        let alphabet = ['a', 'Z', '7', '_', '.', ':', '/', '-', ' ', 'é', '$'];
        let mut channels = vec![String::new(), "a".repeat(128), "a".repeat(129)];
        for first in alphabet {
            for second in alphabet {
                for third in ['b', '_', ' '] {
                    channels.push(format!("{first}{second}{third}"));
                }
            }
        }
        for channel in &channels {
            assert_eq!(
                check_channel(channel).is_ok(),
                ipc_runtime::naming::check_channel(channel).is_ok(),
                "{channel:?}"
            );
        }
        for name in [
            "NotFound",
            "HTTPError",
            "Too_Long",
            "Version2Missing",
            "A",
            "ABC",
            "IOError2X",
            "already_snake",
        ] {
            let words: Vec<String> = ipc_runtime::naming::words(name)
                .iter()
                .map(|word| word.to_uppercase())
                .collect();
            assert_eq!(screaming_snake_case(name), words.join("_"), "{name}");
        }
    }

    #[test]
    fn codes_are_checked() {
        assert!(check_error_code("NOT_FOUND").is_ok());
        assert!(check_error_code("not_found").is_err());
        assert!(check_error_code("IPC_X").is_err());
        assert!(check_error_code("INTERNAL_ERROR").is_err());
    }
}
