// --- Binary frames --------------------------------------------------------

/*
 * Binary frames (reserved for streams), shared with the main side:
 *
 *   offset 0      4 bytes   N, the header length in bytes: u32, big-endian,
 *                           1 <= N <= 65 536 (BINARY_FRAME_LIMITS.maxHeaderLength)
 *   offset 4      N bytes   the header: a JSON object, UTF-8, no byte order mark
 *   offset 4 + N  the rest  the body: raw bytes, possibly none
 *
 * A frame shorter than 4 bytes, with N = 0, N above the limit or N past the end
 * of the frame, or whose header is not valid UTF-8 or not a JSON object, is
 * malformed.
 */

let utf8Decoder: InstanceType<typeof TextDecoder> | undefined

/**
 * Encodes a binary frame: `[u32 big-endian header length][UTF-8 JSON header][body]`.
 *
 * @throws {@link IPCTransportError} `IPC_PROTOCOL_ERROR` when `header` does not
 * serialize to a JSON object or its encoding is longer than
 * {@link BINARY_FRAME_LIMITS}`.maxHeaderLength` bytes.
 */
export function encodeBinaryFrame(header: object, body: Uint8Array): Uint8Array {
  let json: unknown
  try {
    json = JSON.stringify(header)
  } catch (error) {
    throw new IPCTransportError('IPC_PROTOCOL_ERROR', 'The binary frame header cannot be serialized as JSON', {
      cause: error,
    })
  }
  if (typeof json !== 'string' || !json.startsWith('{')) {
    throw protocolError('The binary frame header must serialize to a JSON object')
  }
  const headerBytes = new TextEncoder().encode(json)
  if (headerBytes.length > BINARY_FRAME_LIMITS.maxHeaderLength) {
    throw protocolError(
      `The binary frame header is ${headerBytes.length} bytes; the limit is ${BINARY_FRAME_LIMITS.maxHeaderLength}`,
    )
  }
  const frame = new Uint8Array(4 + headerBytes.length + body.length)
  new DataView(frame.buffer).setUint32(0, headerBytes.length, false)
  frame.set(headerBytes, 4)
  frame.set(body, 4 + headerBytes.length)
  return frame
}

/**
 * Decodes a binary frame (see {@link encodeBinaryFrame}). The body is a view
 * into `frame`, not a copy.
 *
 * @throws {@link IPCTransportError} `IPC_PROTOCOL_ERROR` when the frame is malformed.
 */
export function decodeBinaryFrame(frame: Uint8Array): { header: unknown; body: Uint8Array } {
  if (!(frame instanceof Uint8Array)) throw protocolError('A binary frame must be a Uint8Array')
  if (frame.length < 4) throw protocolError('The binary frame is shorter than its header length')
  const length = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0, false)
  if (length === 0) throw protocolError('The binary frame has an empty header')
  if (length > BINARY_FRAME_LIMITS.maxHeaderLength) {
    throw protocolError(`The binary frame header is ${length} bytes; the limit is ${BINARY_FRAME_LIMITS.maxHeaderLength}`)
  }
  if (length > frame.length - 4) throw protocolError('The binary frame header runs past the end of the frame')
  utf8Decoder ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
  let header: unknown
  try {
    header = JSON.parse(utf8Decoder.decode(frame.subarray(4, 4 + length)))
  } catch (error) {
    throw new IPCTransportError('IPC_PROTOCOL_ERROR', 'The binary frame header is not UTF-8 JSON', { cause: error })
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw protocolError('The binary frame header is not a JSON object')
  }
  return { header, body: frame.subarray(4 + length) }
}
