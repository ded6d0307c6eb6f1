//! The naming rules, once: how identifiers split into words and change
//! case, how a contract's default channel, namespace and method are
//! derived, and which channels, TypeScript names and error codes are valid.
//! `#[contract]` and `#[contract_error]` apply the checks at compile time,
//! the runtime's registry and the code generator apply them again to what
//! they read, all with these messages.
//!
//! - method: the type name in lowerCamelCase (`SaveNote` -> `saveNote`);
//! - namespace: the last segment of the module path in lowerCamelCase
//!   (`my_app::notes` -> `notes`; a contract at the crate root takes the
//!   crate's name: `notes_contracts` -> `notesContracts`);
//! - channel: `namespace:method`.

use crate::declaration::ContractDeclaration;
use crate::framework::FrameworkCode;

/// The longest channel name, in bytes.
pub const MAX_CHANNEL_LENGTH: usize = 128;

/// Codes starting with this are the framework's (see [`FrameworkCode`]).
pub const RESERVED_CODE_PREFIX: &str = "IPC_";

/// Names that a TypeScript object cannot take as an own property safely.
const RESERVED_PROPERTY_NAMES: &[&str] = &["__proto__", "constructor", "prototype"];

/// Channel, namespace and method of one contract, explicit or derived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractNames {
    pub channel: String,
    pub namespace: String,
    pub method: String,
}

impl ContractNames {
    pub fn of(declaration: &ContractDeclaration) -> Self {
        let method = declaration
            .method
            .map_or_else(|| lower_camel_case(declaration.type_name), str::to_owned);
        let namespace = declaration.namespace.map_or_else(
            || {
                let segment = declaration
                    .module_path
                    .rsplit("::")
                    .next()
                    .unwrap_or(declaration.module_path);
                lower_camel_case(segment)
            },
            str::to_owned,
        );
        let channel = declaration
            .channel
            .map_or_else(|| format!("{namespace}:{method}"), str::to_owned);
        ContractNames {
            channel,
            namespace,
            method,
        }
    }
}

/// The channel rule: an ASCII letter, then letters, digits and `_ . : / -`,
/// at most [`MAX_CHANNEL_LENGTH`] characters.
pub fn check_channel(channel: &str) -> Result<(), String> {
    const ALLOWED: &str = "letters, digits, `_`, `.`, `:`, `/` and `-`";
    let Some(first) = channel.chars().next() else {
        return Err("a channel name cannot be empty".to_owned());
    };
    if channel.len() > MAX_CHANNEL_LENGTH {
        return Err(format!(
            "a channel name has at most {MAX_CHANNEL_LENGTH} characters, this one has {}",
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

/// An ASCII JavaScript identifier: a letter, `_` or `$`, then letters,
/// digits, `_` and `$`.
pub fn is_ts_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// Method names and namespaces become TypeScript property names: an ASCII
/// identifier, and none of the names an object inherits.
pub fn check_ts_identifier(what: &str, name: &str) -> Result<(), String> {
    if !is_ts_identifier(name) {
        return Err(format!(
            "`{name}` is not a valid {what}: use an ASCII identifier such as `saveNote`"
        ));
    }
    if RESERVED_PROPERTY_NAMES.contains(&name) {
        return Err(format!("`{name}` is reserved and cannot be a {what}"));
    }
    Ok(())
}

/// Error codes: SCREAMING_SNAKE_CASE, never in the framework's reserved
/// space (codes starting with `IPC_`, and every [`FrameworkCode`]).
pub fn check_error_code(code: &str) -> Result<(), String> {
    let mut chars = code.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        return Err(format!(
            "`{code}` is not a valid error code: use SCREAMING_SNAKE_CASE such as `NOT_FOUND`"
        ));
    }
    if code.starts_with(RESERVED_CODE_PREFIX) || FrameworkCode::from_code(code).is_some() {
        return Err(format!(
            "`{code}` is reserved for framework errors (codes starting with `{RESERVED_CODE_PREFIX}` and `{}`)",
            FrameworkCode::Internal.code()
        ));
    }
    Ok(())
}

/// Splits an identifier into words at `_`, `-` and case changes, keeping
/// acronyms together: `HTTPServer_config2` -> `HTTP`, `Server`, `config2`.
pub fn words(identifier: &str) -> Vec<String> {
    let chars: Vec<char> = identifier.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (index, &c) in chars.iter().enumerate() {
        if c == '_' || c == '-' {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if c.is_uppercase() && !current.is_empty() {
            let previous = chars[index - 1];
            let next_is_lower = chars.get(index + 1).is_some_and(|n| n.is_lowercase());
            if previous.is_lowercase()
                || previous.is_ascii_digit()
                || (previous.is_uppercase() && next_is_lower)
            {
                words.push(std::mem::take(&mut current));
            }
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn capitalized(word: &str) -> String {
    let lower = word.to_lowercase();
    let mut chars = lower.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `save_note`, `SaveNote` -> `saveNote`.
pub fn lower_camel_case(identifier: &str) -> String {
    let mut out = String::new();
    for (index, word) in words(identifier).iter().enumerate() {
        if index == 0 {
            out.push_str(&word.to_lowercase());
        } else {
            out.push_str(&capitalized(word));
        }
    }
    out
}

/// `note_changed`, `noteChanged` -> `NoteChanged`.
pub fn upper_camel_case(identifier: &str) -> String {
    words(identifier)
        .iter()
        .map(|word| capitalized(word))
        .collect()
}

/// `NotFound` -> `NOT_FOUND`, `HTTPError` -> `HTTP_ERROR`.
pub fn screaming_snake_case(identifier: &str) -> String {
    let words: Vec<String> = words(identifier)
        .iter()
        .map(|word| word.to_uppercase())
        .collect();
    words.join("_")
}

/// `SaveNote` -> `save_note`.
pub fn snake_case(identifier: &str) -> String {
    let words: Vec<String> = words(identifier)
        .iter()
        .map(|word| word.to_lowercase())
        .collect();
    words.join("_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::declaration::SourceLocation;

    fn declaration(module_path: &'static str, type_name: &'static str) -> ContractDeclaration {
        ContractDeclaration {
            type_name,
            module_path,
            channel: None,
            method: None,
            namespace: None,
            docs: "",
            location: SourceLocation {
                file: "f.rs",
                line: 1,
                column: 1,
            },
        }
    }

    #[test]
    fn derives_names_from_type_and_module() {
        let names = ContractNames::of(&declaration("my_app::notes", "SaveNote"));
        assert_eq!(names.method, "saveNote");
        assert_eq!(names.namespace, "notes");
        assert_eq!(names.channel, "notes:saveNote");
    }

    #[test]
    fn crate_root_contracts_take_the_crate_name() {
        let names = ContractNames::of(&declaration("notes_contracts", "GetURL"));
        assert_eq!(names.namespace, "notesContracts");
        assert_eq!(names.method, "getUrl");
    }

    #[test]
    fn explicit_names_win() {
        let mut declared = declaration("a::b", "X");
        declared.channel = Some("custom");
        declared.method = Some("run");
        declared.namespace = Some("tools");
        assert_eq!(
            ContractNames::of(&declared),
            ContractNames {
                channel: "custom".into(),
                namespace: "tools".into(),
                method: "run".into()
            }
        );
    }

    #[test]
    fn channel_rule() {
        assert!(check_channel("notes:save").is_ok());
        assert!(check_channel("a/b.c-d_e").is_ok());
        assert!(check_channel(&"a".repeat(128)).is_ok());
        assert_eq!(
            check_channel(""),
            Err("a channel name cannot be empty".to_owned())
        );
        assert!(check_channel("1a").is_err());
        assert!(check_channel("_a").is_err());
        assert!(check_channel("a b").is_err());
        assert!(check_channel("aé").is_err());
        assert!(check_channel(&"a".repeat(129)).is_err());
    }

    #[test]
    fn ts_identifiers() {
        assert!(check_ts_identifier("method name", "saveNote").is_ok());
        assert!(check_ts_identifier("method name", "$_x1").is_ok());
        assert!(check_ts_identifier("method name", "save-note").is_err());
        assert!(check_ts_identifier("method name", "1x").is_err());
        assert!(check_ts_identifier("method name", "").is_err());
        assert_eq!(
            check_ts_identifier("namespace", "constructor"),
            Err("`constructor` is reserved and cannot be a namespace".to_owned())
        );
    }

    #[test]
    fn error_codes() {
        assert!(check_error_code("NOT_FOUND").is_ok());
        assert!(check_error_code("E2").is_ok());
        assert!(check_error_code("not_found").is_err());
        assert!(check_error_code("_X").is_err());
        assert!(check_error_code("IPC_X").is_err());
        assert!(check_error_code("INTERNAL_ERROR").is_err());
    }

    #[test]
    fn case_conversions() {
        assert_eq!(words("HTTPServer_config2"), ["HTTP", "Server", "config2"]);
        assert_eq!(upper_camel_case("note_changed"), "NoteChanged");
        assert_eq!(upper_camel_case("noteChanged"), "NoteChanged");
        assert_eq!(lower_camel_case("NoteChanged"), "noteChanged");
        assert_eq!(screaming_snake_case("NotFound"), "NOT_FOUND");
        assert_eq!(screaming_snake_case("HTTPError"), "HTTP_ERROR");
        assert_eq!(screaming_snake_case("Too_Long"), "TOO_LONG");
        assert_eq!(screaming_snake_case("Version2Missing"), "VERSION2_MISSING");
        assert_eq!(screaming_snake_case("IOError2X"), "IO_ERROR2_X");
        assert_eq!(snake_case("SaveNote"), "save_note");
        assert_eq!(snake_case("HTTPServer"), "http_server");
    }
}
