{{ header }}
{{ runtime }}
// ---------------------------------------------------------------------------
// The typed errors of each invoke contract (generated from the manifest).
//
// A contract's typed error arrives as an `IPCHandlerError` whose `code` is
// one of the contract's codes and whose `details` is that variant's data:
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
{% for error in errors %}
{{ error.doc }}export type {{ error.type_name }} ={{ error.ty }}

/** The codes of {@link {{ error.type_name }}}. */
export const {{ error.codes_name }} = Object.freeze([{{ error.codes }}] as const)

/**
 * Whether `error` is one of the typed errors of `{{ error.contract }}`: an
 * {@link IPCHandlerError} with one of {@link {{ error.codes_name }}}.
 * Its `details` are main's serialization of the Rust error.
 */
export function {{ error.guard_name }}(error: unknown): error is {{ error.type_name }} {
  return isIPCHandlerError(error) && ({{ error.codes_name }} as readonly string[]).includes(error.code)
}
{% endfor -%}
