{{ header }}
/**
 * The TypeScript form of every type the contracts carry, exact to serde's
 * wire form.
 *
 * - Directions: the renderer sends *input* data (invoke and send payloads),
 *   main sends *output* data (responses, typed errors, event payloads).
 *   serde may read and write a type differently (`default` makes a field
 *   optional on input, `skip_serializing_if` on output). A type that is the
 *   same both ways is declared once; otherwise `Name` is the form main sends
 *   and `NameInput` the form the renderer sends.
 * - `field?: T` means the property may be absent; `T | null` that it may be
 *   `null`. Both can apply.
 * - Integers are `number`: the main side only exchanges safe integers
 *   (-(2^53 - 1) to 2^53 - 1), even for 64-bit Rust integers, so values
 *   never lose precision. Each integer field's TSDoc gives its range.
 * - Value constraints (lengths, ranges, patterns) are not part of the
 *   types; the main side validates them.
 *
 * @module
 */
{% for declaration in declarations %}
{{ declaration.doc }}export type {{ declaration.name }} ={{ declaration.ty }}
{% endfor -%}
