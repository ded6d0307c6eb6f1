//! The notes manifest, and its schemas against real payloads.

use ipc_runtime::{CollectManifest, ContractKind, Manifest};
use notes_contracts::{ChangeKind, Note, NoteChanged, NoteError, SaveNote, TelemetryEvent};
use serde_json::{Value, json};

fn manifest() -> Manifest {
    Manifest::collect().expect("the notes contracts have no conflicts")
}

/// (payload validator, response validator, error validator) of a channel.
fn validators(
    channel: &str,
) -> (
    jsonschema::Validator,
    Option<jsonschema::Validator>,
    Option<jsonschema::Validator>,
) {
    let manifest = manifest();
    let contract = manifest
        .contract(channel)
        .unwrap_or_else(|| panic!("no contract on {channel}"));
    let compile = |schema: &Value| jsonschema::validator_for(schema).expect("schema compiles");
    (
        compile(&manifest.payload_root_schema(contract)),
        manifest
            .response_root_schema(contract)
            .as_ref()
            .map(compile),
        manifest.error_root_schema(contract).as_ref().map(compile),
    )
}

/// The manifest is kept once, as the code generator's fixture (which its
/// own test keeps fresh); it is the one these contracts produce.
#[test]
fn manifest_is_the_code_generators_fixture() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../ipc-codegen/tests/fixtures/notes-manifest.json"
    );
    let fixture: Manifest =
        serde_json::from_str(&std::fs::read_to_string(path).expect("the fixture is readable"))
            .expect("the fixture is a manifest");
    let mut collected = manifest();
    for contract in &mut collected.contracts {
        // The fixture records sources relative to the crate, as
        // `ipc-codegen manifest` does.
        if let Some(relative) = contract
            .source
            .file
            .strip_prefix("examples/notes/contracts/")
        {
            contract.source.file = relative.to_owned();
        }
    }
    assert!(
        collected == fixture,
        "{path} differs from the notes manifest: rerun `IPC_CODEGEN_BLESS=1 cargo test -p ipc-codegen --test fixture_notes_manifest` and review the diff"
    );
}

#[test]
fn every_contract_is_listed_with_its_names_and_kind() {
    let manifest = manifest();
    let listed: Vec<(&str, ContractKind, &str, &str)> = manifest
        .contracts
        .iter()
        .map(|c| {
            (
                c.channel.as_str(),
                c.kind,
                c.namespace.as_str(),
                c.method.as_str(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("notes:changed", ContractKind::Event, "notes", "changed"),
            ("notes:delete", ContractKind::Invoke, "notes", "delete"),
            ("notes:get", ContractKind::Invoke, "notes", "get"),
            ("notes:list", ContractKind::Invoke, "notes", "list"),
            ("notes:save", ContractKind::Invoke, "notes", "save"),
            ("telemetry:track", ContractKind::Send, "telemetry", "track"),
        ]
    );
    assert_eq!(manifest.manifest_version, ipc_runtime::MANIFEST_VERSION);
    let round_trip: Manifest =
        serde_json::from_value(serde_json::to_value(&manifest).expect("serializes"))
            .expect("parses");
    assert_eq!(round_trip, manifest);
}

#[test]
fn save_accepts_valid_notes_and_rejects_invalid_ones() {
    let (payload, response, error) = validators("notes:save");
    let valid = [
        json!({"title": "a", "body": ""}),
        json!({"id": 3, "title": "t".repeat(200), "body": "b", "tags": ["x", "y"]}),
        json!({"id": null, "title": "t", "body": "b"}),
    ];
    for sample in valid {
        assert!(payload.is_valid(&sample), "{sample} is valid");
        assert!(serde_json::from_value::<SaveNote>(sample).is_ok());
    }
    let invalid = [
        json!({"title": "", "body": ""}),
        json!({"title": "t".repeat(201), "body": ""}),
        json!({"title": "t"}),
        json!({"title": 5, "body": ""}),
        json!({"title": "t", "body": "", "tags": [""]}),
        json!({"title": "t", "body": "", "tags": vec!["x"; 21]}),
        json!({"id": -1, "title": "t", "body": ""}),
        json!({"id": 9_007_199_254_740_993_u64, "title": "t", "body": ""}),
        json!([]),
    ];
    for sample in invalid {
        assert!(!payload.is_valid(&sample), "{sample} is invalid");
    }

    let note = Note {
        id: 1,
        title: "t".into(),
        body: "b".into(),
        tags: vec![],
        updated_at_ms: 5,
    };
    let response = response.expect("save has a response");
    let written = serde_json::to_value(&note).expect("serializes");
    assert_eq!(
        written,
        json!({"id": 1, "title": "t", "body": "b", "updatedAtMs": 5}),
        "empty tags are skipped"
    );
    assert!(response.is_valid(&written));
    assert!(!response.is_valid(&json!({"id": 1, "title": "t", "body": "b"})));

    let error = error.expect("save has a typed error");
    for typed in [
        NoteError::NotFound { id: 2 },
        NoteError::Conflict {
            id: 2,
            current_updated_at_ms: 9,
        },
        NoteError::Storage,
    ] {
        assert!(
            error.is_valid(&serde_json::to_value(&typed).expect("serializes")),
            "{typed:?}"
        );
    }
    assert!(!error.is_valid(&json!({"code": "NOT_FOUND", "details": {}})));
    assert!(!error.is_valid(&json!({"code": "OTHER"})));
}

#[test]
fn list_get_delete_and_telemetry_payloads() {
    let (list, list_response, list_error) = validators("notes:list");
    assert!(list.is_valid(&json!({})));
    assert!(!list.is_valid(&json!(null)));
    assert!(list_error.is_none());
    let list_response = list_response.expect("list has a response");
    assert!(list_response.is_valid(&json!([{"id": 1, "title": "t", "updatedAtMs": 2}])));
    assert!(!list_response.is_valid(&json!([{"id": 1, "title": "t"}])));

    let (get, _, _) = validators("notes:get");
    assert!(get.is_valid(&json!({"id": 0})));
    assert!(!get.is_valid(&json!({"id": "1"})));
    assert!(!get.is_valid(&json!({})));

    let (delete, delete_response, _) = validators("notes:delete");
    assert!(delete.is_valid(&json!({"id": 4})));
    assert!(delete_response.expect("response").is_valid(&json!(null)));

    let (track, track_response, _) = validators("telemetry:track");
    assert!(track_response.is_none());
    let event = serde_json::to_value(TelemetryEvent::ButtonPressed {
        button: "save".into(),
    })
    .expect("serializes");
    assert_eq!(event, json!({"type": "buttonPressed", "button": "save"}));
    assert!(track.is_valid(&event));
    assert!(!track.is_valid(&json!({"type": "buttonPressed", "button": ""})));
    assert!(!track.is_valid(&json!({"type": "unknown"})));
}

#[test]
fn note_changed_event_is_described_in_the_output_direction() {
    let (changed, _, _) = validators("notes:changed");
    let deleted = NoteChanged {
        id: 1,
        kind: ChangeKind::Deleted,
        note: None,
    };
    let written = serde_json::to_value(&deleted).expect("serializes");
    assert_eq!(written, json!({"id": 1, "kind": "deleted"}));
    assert!(changed.is_valid(&written));
    assert!(!changed.is_valid(&json!({"id": 1, "kind": "archived"})));
    let manifest = manifest();
    assert!(manifest.output_definitions.contains_key("NoteChanged"));
    assert!(!manifest.input_definitions.contains_key("NoteChanged"));
}
