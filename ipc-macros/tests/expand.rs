//! The macros accept every valid form and implement the runtime's traits.

use ipc_runtime::{Contract, ContractError, ContractKind, InvokeContract, NoError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Pings the main side.
#[ipc_runtime::contract(invoke, response = String)]
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Ping {}

#[ipc_runtime::contract(invoke, channel = "files/open-v2", method = "open", namespace = "files", response = Vec<std::collections::HashMap<String, u32>>, error = OpenError)]
#[derive(Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct OpenFile {
    pub path: String,
}

#[ipc_runtime::contract_error]
#[derive(Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub enum OpenError {
    /// The file is missing.
    ///
    /// More text that is not part of the message.
    #[ipc(status = 404)]
    NotFound {
        path: String,
    },
    #[ipc(
        code = "DENIED",
        status = 403,
        message = "cannot open {path}: {reason}"
    )]
    PermissionDenied {
        path: String,
        reason: String,
    },
    TooLarge(u64),
    // `alias` only widens what serde reads: the wire form stays the code.
    #[serde(alias = "IN_USE")]
    Busy,
}

#[ipc_runtime::contract(send)]
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub enum Signal {
    Start,
    Stop,
}

#[ipc_runtime::contract(event, method = "tick")]
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Tick(pub u32);

#[test]
fn contract_traits_are_implemented() {
    assert_eq!(Ping::KIND, ContractKind::Invoke);
    assert_eq!(Ping::DECLARATION.type_name, "Ping");
    assert_eq!(Ping::DECLARATION.module_path, "expand");
    assert_eq!(Ping::DECLARATION.docs, "Pings the main side.");
    assert_eq!(Ping::DECLARATION.channel, None);
    const { assert!(<<Ping as InvokeContract>::Error as ContractError>::IS_NO_ERROR) };
    let _: Option<NoError> = None::<<Ping as InvokeContract>::Error>;

    assert_eq!(OpenFile::DECLARATION.channel, Some("files/open-v2"));
    assert_eq!(OpenFile::DECLARATION.method, Some("open"));
    assert_eq!(OpenFile::DECLARATION.namespace, Some("files"));
    assert_eq!(Signal::KIND, ContractKind::Send);
    assert_eq!(Tick::KIND, ContractKind::Event);
    assert_eq!(Tick::DECLARATION.method, Some("tick"));
}

#[test]
fn contract_errors_get_codes_statuses_messages_and_a_fixed_wire_form() {
    let not_found = OpenError::NotFound { path: "/a".into() };
    assert_eq!(not_found.code(), "NOT_FOUND");
    assert_eq!(not_found.status_code(), Some(404));
    assert_eq!(not_found.message(), "The file is missing.");
    assert_eq!(
        serde_json::to_value(&not_found).expect("serializes"),
        serde_json::json!({"code": "NOT_FOUND", "details": {"path": "/a"}})
    );

    let denied = OpenError::PermissionDenied {
        path: "/b".into(),
        reason: "read-only".into(),
    };
    assert_eq!(denied.code(), "DENIED");
    assert_eq!(denied.status_code(), Some(403));
    assert_eq!(denied.message(), "cannot open /b: read-only");

    let too_large = OpenError::TooLarge(7);
    assert_eq!(too_large.code(), "TOO_LARGE");
    assert_eq!(too_large.status_code(), None);
    assert_eq!(too_large.message(), "Too large");
    assert_eq!(
        serde_json::to_value(&too_large).expect("serializes"),
        serde_json::json!({"code": "TOO_LARGE", "details": 7})
    );
    assert_eq!(
        serde_json::to_value(OpenError::Busy).expect("serializes"),
        serde_json::json!({"code": "BUSY"})
    );
    assert!(matches!(
        serde_json::from_value(serde_json::json!({"code": "IN_USE"})),
        Ok(OpenError::Busy)
    ));
    assert!(matches!(
        serde_json::from_value(serde_json::json!({"code": "BUSY"})),
        Ok(OpenError::Busy)
    ));
    let schema = serde_json::to_string(&schemars::schema_for!(OpenError)).expect("schema");
    assert!(!schema.contains("IN_USE"), "{schema}");
    let codes: Vec<_> = OpenError::CODES
        .iter()
        .map(|info| (info.code, info.status_code))
        .collect();
    assert_eq!(
        codes,
        [
            ("NOT_FOUND", Some(404)),
            ("DENIED", Some(403)),
            ("TOO_LARGE", None),
            ("BUSY", None)
        ]
    );
    assert_eq!(
        OpenError::CODES[0].docs,
        "The file is missing.\n\nMore text that is not part of the message."
    );
}

#[test]
fn contracts_are_registered_with_resolved_names() {
    let contracts = ipc_runtime::registered_contracts().expect("no conflicts");
    let channels: Vec<_> = contracts.iter().map(|c| c.names.channel.as_str()).collect();
    assert_eq!(
        channels,
        [
            "expand:ping",
            "expand:signal",
            "expand:tick",
            "files/open-v2",
            "timer:loop",
            "timer:startTimer",
            "timer:stopTimer"
        ]
    );
    let open = contracts
        .iter()
        .find(|c| c.names.channel == "files/open-v2")
        .expect("registered");
    assert_eq!(
        (open.names.namespace.as_str(), open.names.method.as_str()),
        ("files", "open")
    );
    assert_eq!(open.rust_path(), "expand::OpenFile");
}

/// `#[contracts]` finds contracts however the attribute is spelled, and
/// names the trait `Handlers` by default.
#[ipc_runtime::contracts]
pub mod timer {
    use ipc_runtime::contract;
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    #[contract(invoke, response = u64, error = super::OpenError)]
    #[derive(Debug, Serialize, Deserialize, JsonSchema)]
    pub struct StartTimer {
        pub seconds: u32,
    }

    #[ipc_runtime::contract(send)]
    #[derive(Debug, Serialize, Deserialize, JsonSchema)]
    pub struct StopTimer {}

    /// A name whose method is a keyword: written `r#loop`.
    #[ipc_runtime::contract(send)]
    #[derive(Debug, Serialize, Deserialize, JsonSchema)]
    pub struct Loop {}
}

struct Timer;

impl timer::Handlers for Timer {
    async fn start_timer(
        &self,
        _: ipc_runtime::CallContext,
        request: timer::StartTimer,
    ) -> Result<u64, ipc_runtime::HandlerFailure<OpenError>> {
        Ok(u64::from(request.seconds))
    }

    async fn stop_timer(
        &self,
        _: ipc_runtime::CallContext,
        _: timer::StopTimer,
    ) -> Result<(), ipc_runtime::IpcHandlerError> {
        Ok(())
    }

    async fn r#loop(
        &self,
        _: ipc_runtime::CallContext,
        _: timer::Loop,
    ) -> Result<(), ipc_runtime::IpcHandlerError> {
        Ok(())
    }
}

/// What is checked here is that the `impl` above compiles: it names each
/// method the trait must have, and no other. Routing through the trait
/// is tested in ipc-runtime's `handler_trait` tests.
#[test]
fn the_handler_trait_has_a_method_per_contract() {
    fn implements_handlers<T: timer::Handlers>() {}
    implements_handlers::<Timer>();
    implements_handlers::<std::sync::Arc<Timer>>();
}
