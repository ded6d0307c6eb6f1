{{ header }}
/**
 * The typed IPC API: one method per contract, grouped by namespace.
 *
 * - invoke contracts return a promise of the response; it rejects with the
 *   contract's typed error (an `IPCHandlerError` whose `code` narrows its
 *   `details`, see `errors.ts`), an `IPCValidationError`, a framework
 *   `IPCHandlerError` or an `IPCTransportError`;
 * - send contracts are fire and forget;
 * - event contracts are `on<Event>(listener)` methods that return a function
 *   removing the listener.
 *
 * @module
 */
{% for line in imports %}
{{ line }}
{%- endfor %}

/** The typed IPC API. Build it with {@link createApi}. */
export interface Api {
{%- for namespace in namespaces %}
  readonly {{ namespace.key }}: {
{%- for method in namespace.methods %}
{{ method.doc }}    {{ method.key }}({{ method.params }}): {{ method.returns }}
{%- endfor %}
  }
{%- endfor %}
}

/**
 * The typed API over `transport`. Requests are validated by the main side;
 * responses and events are trusted as main's own serialization.
 */
export function createApi({{ transport_param }}: Transport): Api {
  return Object.freeze({
{%- for namespace in namespaces %}
    {{ namespace.key }}: Object.freeze({
{%- for method in namespace.methods %}
      {{ method.key }}: ({{ method.params }}): {{ method.returns_expression }} =>
        {{ method.body }},
{%- endfor %}
    }),
{%- endfor %}
  })
}
{{ conversions }}