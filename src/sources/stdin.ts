/**
 * `keyscan -`: scan standard input as one text, shown under a name the user chooses (`--stdin-filename`, default
 * `<stdin>`), so editors and other tools can pipe a buffer through keyscan.
 */
import { decodeBytes } from "../engine/decode-bytes.js";
import type { Source, SourceItem } from "./types.js";

export function stdinSource(input: AsyncIterable<Uint8Array | string>, name = "<stdin>", maxBytes = Number.MAX_SAFE_INTEGER): Source {
  return {
    description: `stdin: ${name}`,
    async *items(): AsyncGenerator<SourceItem> {
      const parts: Buffer[] = [];
      let total = 0;
      for await (const chunk of input) {
        const b = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk);
        total += b.length;
        if (total > maxBytes) {
          yield { type: "problem", path: name, code: "E_TOO_LARGE", message: `standard input is over --max-file-size (${maxBytes}); skipped`, skipped: true };
          return;
        }
        parts.push(b);
      }
      const buf = Buffer.concat(parts);
      const decoded = decodeBytes(buf);
      if (!decoded.ok) {
        yield { type: "problem", path: name, code: decoded.code, message: decoded.message, skipped: true };
        return;
      }
      yield { type: "text", provenance: { kind: "stdin", path: name }, text: decoded.text, bytes: buf.length };
    },
  };
}
