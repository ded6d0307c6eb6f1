//! The contracts of the conformance suite, one per behaviour every shell
//! must share (see `docs/conformance.md`).

pub use conformance::*;

/// Every contract of the suite; `ConformanceHandlers` is the trait the
/// service implements.
#[ipc_runtime::contracts(handlers = ConformanceHandlers)]
pub mod conformance {
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    /// One line of an `Echo` request, with bounded fields so that a bad
    /// one yields a nested validation path such as `["items", 1, "name"]`.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    pub struct Item {
        /// 1 to 16 characters.
        #[schemars(length(min = 1, max = 16))]
        pub name: String,
        /// At most 1000.
        #[schemars(range(max = 1000))]
        pub quantity: u32,
    }

    /// Echoes a nested payload back.
    #[ipc_runtime::contract(invoke, response = Echoed)]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    pub struct Echo {
        /// 1 to 32 characters.
        #[schemars(length(min = 1, max = 32))]
        pub label: String,
        /// At most 8 items.
        #[schemars(length(max = 8))]
        pub items: Vec<Item>,
        /// Optional on the way in; omitted on the way out when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub note: Option<String>,
    }

    /// What `Echo` returns: the request, and how many items it had.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct Echoed {
        pub label: String,
        pub items: Vec<Item>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub note: Option<String>,
        pub item_count: u32,
    }

    /// Which typed error `Fail` returns.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub enum FailCase {
        NotFound,
        Quota,
        Locked,
    }

    /// Always fails with the typed error `case` names.
    #[ipc_runtime::contract(invoke, response = (), error = ConformanceError)]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    pub struct Fail {
        pub case: FailCase,
        /// The id reported by `NOT_FOUND`.
        pub id: u64,
    }

    /// The typed errors of the suite: with details and status, and without.
    #[ipc_runtime::contract_error]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    pub enum ConformanceError {
        /// The item does not exist.
        #[ipc(status = 404, message = "Item {id} does not exist")]
        NotFound { id: u64 },
        /// Too many requests.
        #[ipc(status = 429, message = "Quota of {limit} exceeded")]
        QuotaExceeded { limit: u32, used: u32 },
        /// The resource is locked.
        Locked,
    }

    /// 64-bit integers and `Option`s both ways.
    #[ipc_runtime::contract(invoke, response = NumbersReply)]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct Numbers {
        pub unsigned: u64,
        pub signed: i64,
        /// May be absent or `null`.
        #[serde(default)]
        pub optional: Option<u64>,
        /// Makes main answer with an integer JavaScript cannot hold exactly,
        /// which main must refuse to send.
        #[serde(default)]
        pub unsafe_reply: bool,
    }

    /// What `Numbers` returns.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct NumbersReply {
        pub unsigned: u64,
        pub signed: i64,
        /// Omitted when absent.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub optional: Option<u64>,
        /// Always present: `null` when absent.
        pub nullable: Option<u64>,
    }

    /// Records a tag; no reply.
    #[ipc_runtime::contract(send)]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    pub struct Record {
        /// 1 to 32 characters.
        #[schemars(length(min = 1, max = 32))]
        pub tag: String,
    }

    /// The tags `Record` received, in order.
    #[ipc_runtime::contract(invoke, response = Vec<String>)]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    pub struct Recorded {}

    /// Who an event goes to.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub enum Audience {
        /// Every window (connection) of the shell.
        All,
        /// Only the caller of `EmitPing`.
        Caller,
    }

    /// Sent by main when `EmitPing` asks for it.
    #[ipc_runtime::contract(event)]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    pub struct Pinged {
        pub seq: u32,
        pub audience: Audience,
    }

    /// Makes main emit `Pinged` to `audience`; resolves once it is
    /// handed to the shell.
    #[ipc_runtime::contract(invoke, response = ())]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    pub struct EmitPing {
        pub seq: u32,
        pub audience: Audience,
    }

    /// A handler that panics.
    #[ipc_runtime::contract(invoke, response = ())]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    pub struct Explode {}

    /// Waits on its cancellation token, with a short timeout of its own
    /// (see `Limits::stall_timeout_ms`).
    #[ipc_runtime::contract(invoke, response = ())]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    pub struct Stall {
        /// Names the call, so another call can ask what happened to it; 1
        /// to 64 characters.
        #[schemars(length(min = 1, max = 64))]
        pub ticket: String,
    }

    /// Waits on its cancellation token, with the default timeout: for a
    /// caller that goes away mid-call.
    #[ipc_runtime::contract(invoke, response = ())]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    pub struct Hang {
        /// Names the call, so another call can ask what happened to it; 1
        /// to 64 characters.
        #[schemars(length(min = 1, max = 64))]
        pub ticket: String,
    }

    /// Records that the ticket's call ran, and returns at once.
    #[ipc_runtime::contract(invoke, response = ())]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    pub struct Mark {
        /// Names the call, so another call can ask what happened to it; 1
        /// to 64 characters.
        #[schemars(length(min = 1, max = 64))]
        pub ticket: String,
    }

    /// What happened to a ticket's call.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    pub struct TicketReport {
        pub ticket: String,
        /// Its handler ran.
        pub started: bool,
        /// Its handler saw its cancellation token fire.
        pub cancelled: bool,
    }

    /// What happened to a ticket's call so far.
    #[ipc_runtime::contract(invoke, response = TicketReport)]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    pub struct Ticket {
        /// Names the call, so another call can ask what happened to it; 1
        /// to 64 characters.
        #[schemars(length(min = 1, max = 64))]
        pub ticket: String,
    }

    /// What `WaitTicket` waits for.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub enum TicketStage {
        Started,
        Cancelled,
    }

    /// Resolves once the ticket's call reaches `until` (or times out).
    #[ipc_runtime::contract(invoke, response = TicketReport)]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    pub struct WaitTicket {
        /// Names the call, so another call can ask what happened to it; 1
        /// to 64 characters.
        #[schemars(length(min = 1, max = 64))]
        pub ticket: String,
        pub until: TicketStage,
    }

    /// A handler that refuses its caller itself, with `IPC_FORBIDDEN`.
    #[ipc_runtime::contract(invoke, response = ())]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    pub struct Guarded {}

    /// Refused by the router's authorizer for every caller; its handler
    /// records the ticket if it ever runs.
    #[ipc_runtime::contract(invoke, response = ())]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    pub struct Restricted {
        /// Names the call, so another call can ask what happened to it; 1
        /// to 64 characters.
        #[schemars(length(min = 1, max = 64))]
        pub ticket: String,
    }

    /// The limits of the router that serves the suite, so the suite never
    /// copies them.
    #[ipc_runtime::contract(invoke, response = Limits)]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    pub struct GetLimits {}

    /// What `GetLimits` returns.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct Limits {
        /// `RouterConfig::max_request_bytes`.
        pub max_request_bytes: u64,
        /// `RouterConfig::max_depth`.
        pub max_depth: u32,
        /// The timeout of `Stall`.
        pub stall_timeout_ms: u32,
        /// The channel `Restricted` is on, which the authorizer refuses.
        pub restricted_channel: String,
    }
}
