//! The one place where a contract's default channel, namespace and method
//! name are derived. The runtime, the manifest and therefore the generated
//! TypeScript all read names from here.
//!
//! - method: the type name in lowerCamelCase (`SaveNote` -> `saveNote`);
//! - namespace: the last segment of the module path in lowerCamelCase
//!   (`my_app::notes` -> `notes`; a contract at the crate root takes the
//!   crate's name: `notes_contracts` -> `notesContracts`);
//! - channel: `namespace:method`.

use crate::contract::ContractDeclaration;

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
/// at most 128 characters. `#[contract]` applies it at compile time; the
/// registry and the code generator apply it again to what they read.
pub fn check_channel(channel: &str) -> Result<(), String> {
    let valid = channel.len() <= 128
        && channel.starts_with(|c: char| c.is_ascii_alphabetic())
        && channel
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.:/-".contains(c));
    if valid {
        Ok(())
    } else {
        Err(format!(
            "`{channel}` is not a valid channel: a letter, then letters, digits and `_ . : / -`, at most 128 characters"
        ))
    }
}

/// Splits an identifier into words at `_` and case changes, keeping
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::SourceLocation;

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
        assert!(check_channel("").is_err());
        assert!(check_channel("1a").is_err());
        assert!(check_channel("a b").is_err());
        assert!(check_channel(&"a".repeat(129)).is_err());
    }

    #[test]
    fn case_conversions() {
        assert_eq!(words("HTTPServer_config2"), ["HTTP", "Server", "config2"]);
        assert_eq!(upper_camel_case("note_changed"), "NoteChanged");
        assert_eq!(upper_camel_case("noteChanged"), "NoteChanged");
        assert_eq!(lower_camel_case("NoteChanged"), "noteChanged");
    }
}
