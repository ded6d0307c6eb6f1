//! Keeps `fixtures/serde-cases-manifest.json` equal to the manifest of the
//! serde cases fixture crate, collected in process.

use serde_cases_contracts as _;

mod common;

use ipc_runtime::{CollectManifest, Manifest};

#[test]
fn serde_cases_manifest_fixture_is_fresh() {
    let manifest = Manifest::collect().expect("the serde cases have no conflicts");
    common::assert_fixture_fresh(
        manifest,
        "ipc-codegen/tests/fixtures/serde-cases",
        "serde-cases-manifest.json",
    );
}
