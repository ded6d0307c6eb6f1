//! `ipc_runtime::Wide` end to end: the generated API, bundled and run in
//! Node.js, sends requests that the runtime's decoder (the schema and
//! serde) reads back to the exact Rust values, and turns serde's own
//! replies, typed errors and events into `bigint`s. The scenarios are in
//! `tests/ts/wide-integers.test.mjs`.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use ipc_codegen::output;
use ipc_runtime::{Decoder, IpcHandlerError, Wide};
use serde_cases_contracts::{Account, AccountKind, BalanceChanged, Transfer, TransferError};
use serde_json::json;

fn account() -> Account {
    Account {
        id: Wide(u64::MAX),
        balance: Wide(i128::MIN),
        previous: Some(Wide(9_007_199_254_740_993)),
        history: vec![Wide(i64::MIN), Wide(0), Wide(i64::MAX)],
        by_name: BTreeMap::from([("savings".to_owned(), Wide(u128::MAX))]),
        pair: (Wide(1 << 60), "x".to_owned()),
        version: 7,
        kind: AccountKind::Joint {
            owners: vec![Wide(u64::MAX - 1)],
        },
        parent: Some(Box::new(Account {
            id: Wide(2),
            balance: Wide(-1),
            previous: None,
            history: Vec::new(),
            by_name: BTreeMap::new(),
            pair: (Wide(0), String::new()),
            version: 1,
            kind: AccountKind::Personal,
            parent: None,
        })),
    }
}

#[test]
fn wide_integers_cross_the_generated_api_exactly() {
    let root = common::workspace_root();
    let esbuild = root.join("node_modules/esbuild/bin/esbuild");
    assert!(
        esbuild.is_file(),
        "{} is missing: run `npm ci` in the repository root",
        esbuild.display()
    );
    let dir = common::scratch_dir("wide-integers");
    let files = common::generate(&common::serde_cases_manifest(), &common::electron());
    output::write(&dir.join("cases"), &files).expect("write bindings");
    std::fs::write(
        dir.join("entry.ts"),
        "export { createApi } from './cases/api.js'\nexport { IPCHandlerError } from './cases/errors.js'\n",
    )
    .expect("entry");
    let bundled = Command::new(&esbuild)
        .args([
            "entry.ts",
            "--bundle",
            "--platform=node",
            "--format=esm",
            "--outfile=cases.mjs",
            "--log-level=warning",
        ])
        .current_dir(&dir)
        .output()
        .expect("esbuild runs");
    assert!(
        bundled.status.success(),
        "{}",
        common::output_text(&bundled)
    );

    // What main sends, as serde writes it.
    let error = IpcHandlerError::from_contract_error(&TransferError::Insufficient {
        missing: Wide(u128::MAX - 5),
    })
    .expect("serializes");
    let replies = json!({
        "response": serde_json::to_value(account()).expect("serializes"),
        "error": error,
        "event": serde_json::to_value(BalanceChanged {
            account: Wide(u64::MAX),
            balance: Wide(i128::MAX),
        })
        .expect("serializes"),
    });
    std::fs::write(dir.join("replies.json"), replies.to_string()).expect("replies");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ts/wide-integers.test.mjs"),
        dir.join("wide-integers.test.mjs"),
    )
    .expect("copy test");
    std::fs::write(dir.join("package.json"), "{ \"type\": \"module\" }\n").expect("package.json");

    let output = Command::new("node")
        .args(["--test", "wide-integers.test.mjs"])
        .current_dir(&dir)
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "the Node tests failed:\n{}",
        common::output_text(&output)
    );

    // What the generated API sent, read by the runtime as main reads it.
    let decoder = Decoder::<Transfer>::new(64).expect("schema compiles");
    let sent = std::fs::read(dir.join("request.json")).expect("the Node test wrote the request");
    let transfer = decoder
        .decode(&sent)
        .unwrap_or_else(|error| panic!("{error:?}: {}", String::from_utf8_lossy(&sent)));
    assert_eq!(
        transfer,
        Transfer {
            from: account(),
            amount: Wide(u128::MAX),
        }
    );
}
