//! An envelope reader written from docs/protocol.md alone, independent of
//! the runtime's: the oracle the envelope and dispatch targets hold the
//! runtime to.

use std::fmt;

use ipc_runtime::ContractKind;
use ipc_runtime::wire::RequestId;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

/// A valid request, as the protocol defines it.
#[derive(Debug, PartialEq)]
pub(crate) struct Request {
    pub(crate) id: Option<RequestId>,
    pub(crate) kind: ContractKind,
    pub(crate) channel: String,
    pub(crate) payload: String,
}

/// The top-level members of a JSON object, in order, duplicates kept.
struct Members(Vec<(String, Box<RawValue>)>);

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, Box<RawValue>>()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(MembersVisitor)
    }
}

/// `Some` exactly when `bytes` is a valid request envelope: one JSON
/// object, members among `v`, `id`, `kind`, `channel`, `payload`, none
/// twice; `v` is 1; `kind` is `invoke` or `send`; `id` a string of at most
/// 128 bytes or a safe integer, required for an invoke; `channel` a string;
/// `payload` present.
pub(crate) fn read(bytes: &[u8]) -> Option<Request> {
    let Members(members) = serde_json::from_slice(bytes).ok()?;
    let allowed = ["v", "id", "kind", "channel", "payload"];
    for (index, (key, _)) in members.iter().enumerate() {
        if !allowed.contains(&key.as_str()) || members[..index].iter().any(|(k, _)| k == key) {
            return None;
        }
    }
    let member = |name: &str| {
        members
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.get())
    };
    if serde_json::from_str::<u64>(member("v")?).ok()? != 1 {
        return None;
    }
    let kind = match serde_json::from_str::<String>(member("kind")?)
        .ok()?
        .as_str()
    {
        "invoke" => ContractKind::Invoke,
        "send" => ContractKind::Send,
        _ => return None,
    };
    let id = match member("id") {
        None => None,
        Some(id) => Some(RequestId::from_json(
            &serde_json::from_str::<Value>(id).ok()?,
        )?),
    };
    if kind == ContractKind::Invoke && id.is_none() {
        return None;
    }
    let channel = serde_json::from_str::<String>(member("channel")?).ok()?;
    let payload = member("payload")?.to_owned();
    Some(Request {
        id,
        kind,
        channel,
        payload,
    })
}
