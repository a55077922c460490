/**
 * A secret written as string concatenation across lines (issue 17): a PEM key assembled from quoted pieces, one per
 * line, as code embeds a key (`"-----BEGIN PRIVATE KEY-----\n" + "MIIE…\n" + … + "-----END PRIVATE KEY-----\n"` in
 * JS, Java, C#, Go; `.` in PHP; adjacent literals or a trailing `\` in Python, C and Ruby). No regex sees the key
 * whole in the source text, so the pieces are joined and unescaped here and the joined text is scanned like a
 * decoded run (decode.ts), its findings reported at the whole expression. Cheap by construction: it starts only at a
 * `-----BEGIN` that follows a quote, reads forward piece by piece, and stops at MAX_PIECES or MAX_JOINED characters.
 */
/** One joined expression: where it is in the text and the text its pieces make. */
export interface JoinedRun {
  start: number;
  end: number;
  text: string;
}

const MAX_PIECES = 400;
const MAX_JOINED = 32 * 1024;
const MAX_PIECE = 4096;

const isQuote = (c: number): boolean => c === 34 || c === 39 || c === 96; // " ' `
/** Between pieces: whitespace, `+` (JS, Java, C#, Go), `.` (PHP), `\` (line continuation), `&` and `_` (VB). */
const isJoiner = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 43 || c === 46 || c === 92 || c === 38 || c === 95;

const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", "\\": "\\", '"': '"', "'": "'", "`": "`", "/": "/" };

/** The literal starting with the quote at `at`: its unescaped content and the offset just after its closing quote. */
function literal(text: string, at: number): { value: string; end: number } | undefined {
  const q = text.charCodeAt(at);
  let value = "";
  for (let i = at + 1; i < text.length && i - at <= MAX_PIECE; i++) {
    const c = text.charCodeAt(i);
    if (c === q) return { value, end: i + 1 };
    if (c === 10 || c === 13) return undefined; // a piece ends on its line
    if (c === 92 && i + 1 < text.length) {
      const next = text[i + 1]!;
      value += ESCAPES[next] ?? next;
      i++;
    } else value += text[i];
  }
  return undefined;
}

/** PEM blocks written as concatenated string literals, joined; each reported over the whole expression. */
export function concatenatedPem(text: string): JoinedRun[] {
  const out: JoinedRun[] = [];
  // `BEGIN` first, then the dashes before it: `-` is common in code, and a search led by it cost 28 ms on 79 MB of
  // npm code against 17 (issue 16).
  for (let b = text.indexOf("BEGIN", 5); b !== -1; b = text.indexOf("BEGIN", b + 5)) {
    if (!text.startsWith("-----", b - 5)) continue;
    const start = b - 6;
    if (start < 0 || !isQuote(text.charCodeAt(start))) continue;
    let joined = "";
    let pieces = 0;
    let end = start;
    let at = start;
    while (pieces < MAX_PIECES && joined.length < MAX_JOINED) {
      const lit = literal(text, at);
      if (!lit) break;
      joined += lit.value;
      pieces++;
      end = lit.end;
      let k = end;
      while (k < text.length && k - end < 256 && isJoiner(text.charCodeAt(k))) k++;
      if (k === end || !isQuote(text.charCodeAt(k))) break; // no joiner, or the expression ends
      at = k;
    }
    if (pieces >= 2 && joined.includes("-----END")) {
      out.push({ start, end, text: joined });
      b = end - 5;
    }
  }
  return out;
}
