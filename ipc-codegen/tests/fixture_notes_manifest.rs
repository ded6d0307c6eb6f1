//! Keeps `fixtures/notes-manifest.json` equal to the manifest of the notes
//! example's contracts, collected in process (this test binary links the
//! contracts crate, which registers its contracts).

use notes_contracts as _;

mod common;

use ipc_runtime::{CollectManifest, Manifest};

#[test]
fn notes_manifest_fixture_is_fresh() {
    let manifest = Manifest::collect().expect("the notes contracts have no conflicts");
    common::assert_fixture_fresh(manifest, "examples/notes/contracts", "notes-manifest.json");
}
