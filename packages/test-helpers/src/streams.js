const encoder = new TextEncoder();

/**
 * A web stream handing `text` over in pieces of `size` bytes, so a reader meets CRLF and
 * multi-byte UTF-8 cut apart.
 * @param {string | Uint8Array} text
 * @param {number} size
 * @returns {ReadableStream<Uint8Array>}
 */
export function pieces(text, size) {
  const bytes = typeof text === "string" ? encoder.encode(text) : text;
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}
