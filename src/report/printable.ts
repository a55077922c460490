/**
 * Text from a scanned repository — a file name, a commit author, an error message that quotes a path — is shown to
 * a person on a terminal. A hostile repository can name a file `a\n1 secret found…` to forge report lines, or
 * put terminal escape sequences in it to rewrite the screen. Human-facing output passes such text through
 * `printable`, which escapes control characters (C0, DEL, C1, the Unicode line/paragraph separators, and the bidi
 * overrides used in "trojan source" tricks) as `\xNN` or `\u{NNNN}`. Every human-facing format (text, github,
 * CLI messages) uses this one function. Structured formats (JSON) escape on their own and keep exact values.
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}

/**
 * JSON text with the characters JSON.stringify leaves raw but a terminal or editor would act on (DEL, C1, the bidi
 * overrides, the line and paragraph separators) written as `\uXXXX` escapes: the value a consumer parses is exact,
 * and the file shows nothing hidden (issue 19). Such characters only occur inside JSON strings.
 */
export function jsonSafe(json: string): string {
  // eslint-disable-next-line no-control-regex
  return json.replace(/[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
