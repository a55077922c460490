/**
 * The by-name half of a usage (issue 17, "one hop"): code rarely writes the key into the header or the SDK call
 * itself; it writes `Authorization: \`Bearer ${API_KEY}\``, `headers={"x-api-key": api_key}`,
 * `req.Header.Set("X-Api-Key", apiKey)`, `new GetimgAI(key)` and assigns the key to that name somewhere else in the
 * file. For each header and SDK usage, compile.ts adds a reference matcher built here: the same name and separators
 * as the usage, with an identifier expression where the value goes (captured as the matcher's `secret` group). The
 * matcher core then resolves the identifier to the literal assigned to it (references.ts) and reports that literal.
 * Every pattern is bounded and is checked by the ReDoS analysis like any other matcher.
 */

/**
 * An identifier expression: `apiKey`, `$api_key`, `@token`, `self.api_key`, `$this->apiKey`, `Config::API_KEY`,
 * `local.api_key`, `claid.token` (a properties key). The resolver takes it whole, then by its last part.
 */
const IDENT = "[$@]{0,2}[A-Za-z_][A-Za-z0-9_]{0,63}(?:(?:\\.|->|::)[A-Za-z_][A-Za-z0-9_]{0,63}){0,3}";
/** An identifier ends there: not a call (`getKey()`), a subscript (`os.environ["X"]`) or a longer member chain. */
const IDENT_END = "(?![A-Za-z0-9_(\\[.$]|->|::)";
/** Interpolation openers: `${x}` (JS, shell, Kotlin, HCL), `#{x}` (Ruby), `{{ x }}` (templates), `{x}` (Python f-strings, C#, Rust), `{$x}` and `$x` (PHP, Perl, shell). */
const INTERP = "(?:\\$\\{|#\\{|\\{\\{\\s{0,4}|\\{\\$?|\\$)";
/** Concatenation: `+` (JS, Java, C#, Go), `.` (PHP), `..` (Lua), `<>` (Elixir), `&` (VB). */
const CONCAT = "(?:\\+|\\.{1,2}|<>|&)";
/** A formatting call before the string: `format!(`, `fmt.Sprintf(`, `String.format(`, `sprintf(`. */
const FORMATTER = "(?:[A-Za-z_][A-Za-z0-9_.:]{0,24}!?\\(\\s{0,4})?";
/** A positional placeholder closed by its string, then the arguments: `"Bearer %s" % key`, `"Bearer {}".format(key)`, `format!("Bearer {}", key)`. */
const FORMAT_ARG = "(?:%[sv]|\\{\\}|\\{0\\})QUOTE(?:\\s{0,4},\\s{0,4}|\\s{0,4}%\\s{0,4}\\(?\\s{0,4}|\\.format\\(\\s{0,4})";

export interface RefParts {
  /** A quote of any language, JSON-escaped or not. */
  quote: string;
  /** An opening quote with its string prefix (`f"`, `$"`). */
  open: string;
  /** Whitespace between tokens (bounded). */
  ws: string;
}

/**
 * The value expression of a header usage when the value is held by an identifier. `scheme` is the usage's scheme
 * pattern (with its trailing whitespace), required when the usage declares one; a header without a scheme also takes
 * a bare identifier (`"x-api-key": api_key`, `Header.Set("X-Api-Key", apiKey)`).
 */
export function headerRefValue(p: RefParts, scheme: string, schemeRequired: boolean): string {
  const { quote: Q, open: O, ws: WS } = p;
  const interpolated = `(?:${FORMATTER}${O}${WS})?${scheme}${INTERP}\\s{0,4}`;
  const concatenated = `(?:${O}${WS})?${scheme}${Q}${WS}${CONCAT}${WS}`;
  const formatted = `${FORMATTER}${O}${WS}${scheme}${FORMAT_ARG.replace("QUOTE", Q)}`;
  const bare = schemeRequired ? "" : "|[&*]?";
  return `(?:${interpolated}|${concatenated}|${formatted}${bare})(?<secret>${IDENT})${IDENT_END}`;
}

/** The argument of an SDK constructor when it is an identifier: `new GetimgAI(key)`, `GetimgAI(&key)`. */
export function sdkRefValue(ws: string): string {
  return `[&*]?(?<secret>${IDENT})${IDENT_END}${ws}[,)]`;
}

/** An option of an SDK constructor whose value is an identifier: `GetimgAI(api_key=API_KEY)`, `new Autoenhance({ apiKey: key })`. */
export function sdkOptionRefValue(): string {
  return `(?<secret>${IDENT})${IDENT_END}`;
}

/**
 * The identifier given to an environment variable (issue 17): `os.environ["X"] = key`, `process.env.X = key`,
 * `export X=$key`, `X="${key}"`, `os.Setenv("X", key)`, `{ X: key }`. What follows the env name's separator.
 */
export function envRefValue(quote: string, ws: string): string {
  return `(?:(?::=|=>|=(?!=)|:(?![:=]))${ws}(?:${quote}?\\$\\{|${quote}(?=\\$))?|,${ws})(?<secret>${IDENT})${IDENT_END}(?!-)`;
}

/**
 * An SDK option written as shorthand (issue 17): `new Autoenhance({ apiKey })` — the option's name is the identifier.
 * `option` is the option-name pattern; the text before it (inside the call's parentheses) ends with `{` or `,`.
 */
export function sdkShorthandRef(option: string, ws: string): string {
  return `(?<=[{,][ \\t\\r\\n]{0,16})(?<secret>${option})${IDENT_END}${ws}[,}]`;
}

/** The usage name a reference matcher reports: `header:api-key→var`; the finding names the identifier instead of `var`. */
export function refUsage(usage: string): string {
  return `${usage}→var`;
}
