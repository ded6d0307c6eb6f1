//! The schema-to-TypeScript mapping of each serde case, on the real
//! schemars output of `fixtures/serde-cases` (through its manifest fixture).

mod common;

use std::sync::OnceLock;

fn types_ts() -> &'static str {
    static TYPES: OnceLock<String> = OnceLock::new();
    TYPES.get_or_init(|| {
        let files = common::generate(&common::serde_cases_manifest(), &common::electron());
        common::contents(&files, "types.ts").to_owned()
    })
}

/// The declaration of `name` in types.ts, without its TSDoc.
fn declaration(name: &str) -> String {
    let start = format!("export type {name} =");
    let text = types_ts();
    let begin = text
        .find(&format!("\n{start}"))
        .unwrap_or_else(|| panic!("{name} is not declared in:\n{text}"))
        + 1;
    let rest = &text[begin..];
    let end = rest.find("\n\n").unwrap_or(rest.len());
    rest[..end].trim_end().to_owned()
}

/// The TSDoc right before the declaration of `name`.
fn doc_of(name: &str) -> String {
    let text = types_ts();
    let at = text
        .find(&format!("\nexport type {name} ="))
        .unwrap_or_else(|| panic!("{name} is not declared"));
    let before = &text[..at];
    let start = before.rfind("\n\n").map_or(0, |i| i + 2);
    before[start..].to_owned()
}

#[test]
fn unit_enums_with_renames_are_string_literal_unions() {
    assert_eq!(
        declaration("Color"),
        "export type Color = 'light-red' | 'GREEN' | 'blue'"
    );
}

#[test]
fn externally_tagged_enums() {
    assert_eq!(
        declaration("Shape"),
        "export type Shape =
  /** A unit variant is a bare string. */
  | 'Empty'
  | { Circle: { radius: number } }
  | { Square: number }
  | { Line: [number, number] }"
    );
}

#[test]
fn internally_tagged_enums_intersect_newtype_variants() {
    assert_eq!(
        declaration("Animal"),
        "export type Animal =
  | { kind: 'dog'; name: string; good_boy: boolean }
  | (CatInfo & { kind: 'cat' })
  | { kind: 'fish' }"
    );
}

#[test]
fn adjacently_tagged_enums() {
    assert_eq!(
        declaration("Message"),
        "export type Message =
  | { t: 'Text'; c: string }
  | { t: 'Pair'; c: [number, number] }
  | { t: 'Ping' }"
    );
}

#[test]
fn untagged_enums_are_plain_unions() {
    assert_eq!(
        declaration("Scalar"),
        "export type Scalar = number | string | boolean[]"
    );
}

#[test]
fn newtypes_and_tuple_structs() {
    assert_eq!(declaration("Meters"), "export type Meters = number");
    assert_eq!(declaration("Point"), "export type Point = [number, number]");
    assert_eq!(declaration("Ping"), "export type Ping = null");
}

#[test]
fn generics_at_two_instantiations_get_distinct_names() {
    assert_eq!(
        declaration("Page"),
        "export type Page = { items: Tree[]; next_cursor: string | null }"
    );
    assert_eq!(
        declaration("Page2"),
        "export type Page2 = { items: Point[]; next_cursor: string | null }"
    );
}

#[test]
fn recursive_types_refer_to_themselves() {
    assert_eq!(
        declaration("Tree"),
        "export type Tree = { label: string; children: Tree[] }"
    );
}

/// Main never writes a skipped `None` as `null`: the response type says
/// `theme?: string`, the request type still takes `null`.
#[test]
fn default_and_skip_serializing_if_split_the_directions() {
    assert_eq!(
        declaration("Settings"),
        "export type Settings = {
  verbose: boolean
  theme?: string
  plugins?: string[]
  /** Integer (`uint32`) from 0 to 4294967295. */
  limit: number | null
}"
    );
    assert_eq!(
        declaration("SettingsInput"),
        "export type SettingsInput = {
  /** @defaultValue `false` */
  verbose?: boolean
  theme?: string | null
  plugins?: string[]
  /** Integer (`uint32`) from 0 to 4294967295. */
  limit?: number | null
}"
    );
    assert!(
        doc_of("Settings")
            .contains("The form main sends; the renderer sends {@link SettingsInput}.")
    );
    assert!(
        doc_of("SettingsInput")
            .contains("The form the renderer sends; main sends {@link Settings}.")
    );
    // Types that only refer to the split type split too, or stay on one side.
    assert_eq!(
        declaration("UpdateSettings"),
        "export type UpdateSettings = { settings: SettingsInput }"
    );
}

#[test]
fn every_field_form_of_the_big_struct() {
    let output = declaration("Everything");
    let input = declaration("EverythingInput");
    for expected in [
        "  ID: number\n",
        "  pair: [string, number]\n",
        "  list: Point[]\n",
        "  byName: { [key: string]: Point }\n",
        "  byId: { [key: string]: string }\n",
        "    'light-red'?: number\n",
        "  createdBy: string\n",
        "  revision: number\n",
        "  unit: null\n",
        "  anything: unknown\n",
        "  tree: Tree\n",
    ] {
        assert!(output.contains(expected), "{expected:?} in {output}");
        assert!(input.contains(expected), "{expected:?} in {input}");
    }
    // Option is required (and nullable) on output, optional on input.
    assert!(output.contains("  maybe: Color | null\n"));
    assert!(input.contains("  maybe?: Color | null\n"));
    assert!(output.contains("  nestedOption: boolean | null\n"));
    assert!(output.contains("  settings: Settings\n"));
    assert!(input.contains("  settings: SettingsInput\n"));
    // 64-bit integers are numbers, documented as safe integers.
    assert!(output.contains(
        "   * Integer (`uint64`, limited to safe integers) from 0 to 9007199254740991.\n   */\n  ID: number"
    ));
    assert!(output.contains(
        "  /** Integer (`int64`, limited to safe integers) from -9007199254740991 to 9007199254740991. */\n  signed: number"
    ));
}

#[test]
fn flattened_maps_become_index_signatures() {
    assert_eq!(
        declaration("LogLine"),
        "export type LogLine = { text: string; [key: string]: string }"
    );
}

#[test]
fn typed_errors_are_adjacently_tagged_unions() {
    assert_eq!(
        declaration("CaseError"),
        "export type CaseError =
  /** The request named nothing known. */
  | { code: 'MISSING'; details: { what: string } }
  /** A newtype variant carries its struct as `details`. */
  | { code: 'BAD_POINT'; details: Point }
  /** No details. */
  | { code: 'BUSY' }"
    );
}

#[test]
fn api_methods_of_the_serde_cases() {
    let files = common::generate(&common::serde_cases_manifest(), &common::electron());
    let api = common::contents(&files, "api.ts");
    for expected in [
        "    everything(request: types.EverythingInput, options?: CallOptions): Promise<types.Everything>\n",
        "    pages(request?: types.GetPages, options?: CallOptions): Promise<[types.Page, types.Page2]>\n",
        "    ping(request?: types.Ping, options?: CallOptions): Promise<number>\n",
        "    log(message: types.LogLine): void\n",
        "    onAnimalSeen(listener: (payload: types.AnimalSeen) => void): () => void\n",
        "invokeAndUnwrap(transport, 'cases:ping', request ?? null, options)",
        "invokeAndUnwrap(transport, 'cases:pages', request ?? {}, options)",
    ] {
        assert!(api.contains(expected), "{expected:?} in {api}");
    }
    let errors = common::contents(&files, "errors.ts");
    // The union is declared once, under the Rust error type's name; the
    // contract's names are aliases of it.
    assert!(errors.contains("export type IPCCaseError =\n"));
    assert!(errors.contains("      readonly details: types.Point\n"));
    assert!(errors.contains("      readonly code: 'BUSY'\n      readonly details?: undefined\n"));
    assert!(errors.contains(
        "export const IPC_CASE_ERROR_CODES = Object.freeze(['MISSING', 'BAD_POINT', 'BUSY'] as const)"
    ));
    assert!(errors.contains("export type CasesEverythingError = IPCCaseError\n"));
    assert!(errors.contains("export const CASES_EVERYTHING_ERROR_CODES = IPC_CASE_ERROR_CODES\n"));
    assert!(errors.contains(
        "export const isCasesEverythingError: (error: unknown) => error is CasesEverythingError = isIPCCaseError\n"
    ));
}

#[test]
fn serde_cases_types_snapshot() {
    insta::assert_snapshot!("serde_cases__types.ts", types_ts());
}

#[test]
fn wide_integers_are_bigints() {
    let account = declaration("Account");
    assert!(account.contains("  id: bigint\n"), "{account}");
    assert!(account.contains("  previous: bigint | null\n"), "{account}");
    assert!(account.contains("  history: bigint[]\n"), "{account}");
    assert!(account.contains("  pair: [bigint, string]\n"), "{account}");
    assert!(account.contains("  version: number\n"), "{account}");
}
