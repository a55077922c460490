/**
 * Documentation placeholders are never findings: `YOUR_API_KEY`, `<your_access_token>`, `{YOUR_API_KEY}`,
 * `$GETIMG_API_KEY`, `${{ secrets.X }}`, `xxxx`, `***`, `sk_test_...`. Most of them are already kept out by the
 * matchers' value patterns (which do not accept `<`, `{`, `$` or `*`); this filter catches the rest by looking at
 * the value's words (split at `_`, `-`, `.` and case changes) rather than at raw substrings, so a random 96-character
 * key that happens to contain "your" somewhere in the middle is still reported.
 */
const PLACEHOLDER_WORDS = [
  "your", "my", "xxx", "example", "examples", "placeholder", "changeme", "change", "replace", "insert", "dummy",
  "redacted", "sample", "here", "todo", "fixme", "fake", "test", "mock", "secret", "apikey", "token", "none", "null",
  "undefined", "password", "enter", "put", "paste", "put", "foo", "bar", "baz", "abc", "demo",
];
const WORD_SET = new Set(PLACEHOLDER_WORDS);
const MARKERS = ["xxxx", "****", "....", "<", ">", "${", "{{", "}}", "%s", "…", "0000000000", "0123456789", "1234567890", "abcdefghij"];

function casedWords(value: string): string[] {
  return value
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .split(/(?:[\s_\-.:/+=]|%[0-9A-Fa-f]{2})+/)
    .filter((w) => w.length > 0);
}

function words(value: string): string[] {
  return casedWords(value).map((w) => w.toLowerCase());
}

/** Identifiers rather than keys: CONSTANT_CASE, snake_case, kebab-case or camelCase words. */
const IDENTIFIER = /^(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[a-z][a-z0-9]*(?:[_-][a-z0-9]+)+|[a-z]+(?:[A-Z][a-z0-9]+)+)$/;
/** A long run mixing letters and digits is random data, not a word: `dop_v1_<64 hex>`, `key-<32 hex>`, `shpat_<hex>`. */
const RANDOM_PART = /^(?=[a-z0-9]*[0-9])(?=[a-z0-9]*[a-z])[a-z0-9]{16,}$/i;

/** A UUID inside the value (`access-sandbox-<uuid>`) is an identifier of data, not a word. */
const UUID = /(?:^|[_-])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A shorter part that still mixes letters and digits (`a7k2m9x`); three of them make a key, not a name. */
const MIXED_PART = /^(?=[a-z0-9]*[0-9])(?=[a-z0-9]*[a-z])[a-z0-9]{5,}$/i;

function isIdentifier(value: string): boolean {
  if (!IDENTIFIER.test(value) || UUID.test(value)) return false;
  const parts = value.split(/[_-]/);
  if (parts.some((part) => RANDOM_PART.test(part))) return false;
  // Keys written as dash-separated groups (issue 16): Helicone's `sk-helicone-<7>-<7>-<7>-<7>` groups mix letters
  // and digits; YouTube and bunny.net stream keys are four or more groups of one length (`abcd-efgh-ijkl-mnop`).
  if (parts.filter((part) => MIXED_PART.test(part)).length >= 3) return false;
  if (parts.length >= 4 && parts[0]!.length >= 4 && parts.every((part) => part.length === parts[0]!.length)) return false;
  return true;
}

/**
 * `human: true` (password fields, filters/password.ts): a human-chosen password may well look like an identifier
 * (`correct-horse-battery`, `summerRain`) and a generated salt may hold `<`, `>` or `{{`, so only the repeat and
 * placeholder-word tests apply; the caller checks whole-value references itself.
 */
/** Documentation Basic-auth values: base64 of `username:password`, `user:pass`, `admin:admin` (issue 17). */
const BASIC_SAMPLE = /^[A-Za-z0-9+/]{8,64}={0,2}$/;
const SAMPLE_PASSWORDS = new Set(["", "password", "pass", "passwd", "secret", "changeme", "example", "test", "xxx", "admin", "pwd", "token"]);

function isBasicAuthSample(value: string): boolean {
  if (!BASIC_SAMPLE.test(value)) return false;
  const decoded = Buffer.from(value, "base64").toString("latin1");
  const colon = decoded.indexOf(":");
  if (colon < 0 || !/^[\x20-\x7e]+$/.test(decoded)) return false;
  const password = decoded.slice(colon + 1);
  return SAMPLE_PASSWORDS.has(password.toLowerCase()) || password === decoded.slice(0, colon);
}

/** The UUID of RFC 4122's examples (and of countless docs that copy it). */
const SAMPLE_UUID = "123e4567-e89b-12d3-a456-426614174000";

/**
 * A code reference rather than a value (issue 17: a usage's `value: any` took `process.env.API_KEY`): a member path
 * whose every part is a word or an identifier (`process.env.API_KEY`, `this.apiKey`, `i0.ViewContainerRef`). A
 * token with dots (a JWT) has random parts and is not one.
 */
function isMemberPath(value: string): boolean {
  if (!/^[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)+$/.test(value)) return false;
  // Each part a word, a name with a short number (`i0`, `v2`) or an identifier; a random part mixes digits in.
  return value.split(".").every((part) => /^[$_]?[A-Za-z]+[0-9]{0,2}$/.test(part) || isIdentifier(part));
}

export function isPlaceholder(value: string, options: { human?: boolean } = {}): boolean {
  const lower = value.toLowerCase();
  if (!options.human) {
    if (isIdentifier(value) || isMemberPath(value)) return true;
    if (lower.endsWith(SAMPLE_UUID)) return true;
    // AWS and others mark documentation values with an upper-case EXAMPLE (AKIAIOSFODNN7EXAMPLE, …EXAMPLEKEY).
    if (value.includes("EXAMPLE")) return true;
    for (const m of MARKERS) if (lower.includes(m)) return true;
    if (isBasicAuthSample(value)) return true;
  }
  // One character repeated most of the way: "aaaaaaaa…", "00000…".
  if (/^(.)\1{7,}$/.test(value) || /(.)\1{11,}/.test(value)) return true;
  const ws = words(value);
  // A value made of a few dictionary-ish words (YOUR_API_KEY, api_key_here, replace-me) rather than random text.
  // Each word must be written like a word (lower, UPPER or Capitalised): random mixed case such as the body of
  // `test_XrYWXxKGaNwDSOEhpV` splits into pieces like `YWXx` and is not a placeholder.
  if (
    ws.length >= 2 &&
    ws.every((w) => w.length <= 12 && /^[a-z]+$/.test(w)) &&
    ws.some((w) => WORD_SET.has(w)) &&
    casedWords(value).every((w) => /^(?:[a-z]+|[A-Z]+|[A-Z][a-z]+)$/.test(w))
  ) {
    return true;
  }
  const first = ws[0] ?? "";
  if (first === "your" || first.startsWith("your") || first === "xxx" || first.startsWith("xxxx")) return true;
  return false;
}
