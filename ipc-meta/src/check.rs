//! The checks across a set of contracts: every name valid, no channel and
//! no TypeScript method declared twice. The runtime's registry (and through
//! it the router) and the code generator all call [`check_contract_set`].

use std::collections::BTreeMap;

use crate::naming;

/// One contract of a set, as the checks see it.
#[derive(Debug, Clone)]
pub struct ContractSetEntry<'a> {
    pub channel: &'a str,
    pub namespace: &'a str,
    pub method: &'a str,
    /// How messages name the contract: "`rust::Path` at file:line:column".
    pub origin: String,
}

impl<'a> ContractSetEntry<'a> {
    /// An entry whose origin is the contract type's path and where it is
    /// declared.
    pub fn new(
        channel: &'a str,
        namespace: &'a str,
        method: &'a str,
        rust_path: &str,
        location: impl std::fmt::Display,
    ) -> Self {
        ContractSetEntry {
            channel,
            namespace,
            method,
            origin: format!("`{rust_path}` at {location}"),
        }
    }
}

/// Every problem of `contracts`, in their order: invalid names, and
/// channels or `namespace.method` pairs declared more than once (naming
/// both declarations; they are never merged). Empty when the set is sound.
pub fn check_contract_set(contracts: &[ContractSetEntry<'_>]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut by_channel: BTreeMap<&str, &ContractSetEntry<'_>> = BTreeMap::new();
    let mut by_method: BTreeMap<(&str, &str), &ContractSetEntry<'_>> = BTreeMap::new();
    for contract in contracts {
        let names = [
            naming::check_channel(contract.channel),
            naming::check_ts_identifier("namespace", contract.namespace),
            naming::check_ts_identifier("method name", contract.method),
        ];
        for message in names.into_iter().filter_map(Result::err) {
            problems.push(format!("{}: {message}", contract.origin));
        }
        if let Some(first) = by_channel.insert(contract.channel, contract) {
            problems.push(format!(
                "channel `{}` is declared by both {} and {}",
                contract.channel, first.origin, contract.origin
            ));
        }
        if let Some(first) = by_method.insert((contract.namespace, contract.method), contract) {
            problems.push(format!(
                "method `{}.{}` is declared by both {} and {}",
                contract.namespace, contract.method, first.origin, contract.origin
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry<'a>(
        channel: &'a str,
        namespace: &'a str,
        method: &'a str,
        path: &str,
    ) -> ContractSetEntry<'a> {
        ContractSetEntry::new(channel, namespace, method, path, "src/lib.rs:1:1")
    }

    #[test]
    fn a_sound_set_has_no_problems() {
        let set = [
            entry("notes:save", "notes", "save", "a::Save"),
            entry("notes:list", "notes", "list", "a::List"),
        ];
        assert!(check_contract_set(&set).is_empty());
    }

    #[test]
    fn clashes_name_both_declarations() {
        let set = [
            entry("notes:save", "notes", "save", "a::Save"),
            entry("notes:save", "notes", "store", "b::Save"),
            entry("notes:keep", "notes", "store", "c::Keep"),
        ];
        assert_eq!(
            check_contract_set(&set),
            [
                "channel `notes:save` is declared by both `a::Save` at src/lib.rs:1:1 and `b::Save` at src/lib.rs:1:1",
                "method `notes.store` is declared by both `b::Save` at src/lib.rs:1:1 and `c::Keep` at src/lib.rs:1:1",
            ]
        );
    }

    #[test]
    fn invalid_names_are_reported_with_their_contract() {
        let set = [entry("9x", "notes", "constructor", "a::Constructor")];
        assert_eq!(
            check_contract_set(&set),
            [
                "`a::Constructor` at src/lib.rs:1:1: a channel name starts with an ASCII letter, not `9`",
                "`a::Constructor` at src/lib.rs:1:1: `constructor` is reserved and cannot be a method name",
            ]
        );
    }
}
