{{ header }}
{{ runtime }}
// ---------------------------------------------------------------------------
// The typed errors of the invoke contracts (generated from the manifest).
//
// A contract's typed error arrives as an `IPCHandlerError` whose `code` is
// one of its Rust error type's codes and whose `details` is that variant's
// data. Each Rust error type has one union (`IPCNoteError` for `NoteError`);
// each contract names it too (`NotesSaveError`):
//
//   try {
//     await api.notes.save(note)
//   } catch (error) {
//     if (isNotesSaveError(error) && error.code === 'CONFLICT') {
//       reload(error.details.id)
//     }
//   }
// ---------------------------------------------------------------------------
{%- for line in imports %}

{{ line }}
{%- endfor %}
{% for group in unions %}
{{ group.doc }}export type {{ group.names.type_name }} ={{ group.ty }}

/** The codes of {@link {{ group.names.type_name }}}. */
export const {{ group.names.codes_name }} = Object.freeze([{{ group.codes }}] as const)

/**
 * Whether `error` is one of the typed errors of {{ group.subject }}: an
 * {@link IPCHandlerError} with one of {@link {{ group.names.codes_name }}}.
 * Its `details` are main's serialization of the Rust error.
 */
export function {{ group.names.guard_name }}(error: unknown): error is {{ group.names.type_name }} {
  return isIPCHandlerError(error) && ({{ group.names.codes_name }} as readonly string[]).includes(error.code)
}
{% endfor -%}
{% for alias in aliases %}
/** The typed errors of `{{ alias.contract }}`: {@link {{ alias.shared.type_name }}}. */
export type {{ alias.own.type_name }} = {{ alias.shared.type_name }}

/** The codes of {@link {{ alias.own.type_name }}}. */
export const {{ alias.own.codes_name }} = {{ alias.shared.codes_name }}

/** Whether `error` is one of the typed errors of `{{ alias.contract }}` ({@link {{ alias.shared.guard_name }}}). */
export const {{ alias.own.guard_name }}: (error: unknown) => error is {{ alias.own.type_name }} = {{ alias.shared.guard_name }}
{% endfor -%}
