/**
 * "Did you mean" for a mistyped flag or command (issue 20): yargs' strict mode says what it did not know; this
 * adds the closest known name by edit distance (Levenshtein, at most 2 edits, or 3 for long names).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";

export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** The closest candidate within the edit limit, or undefined. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = word.length > 8 ? 3 : 2;
  let best: { name: string; d: number } | undefined;
  for (const c of candidates) {
    const d = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (d <= limit && d < word.length && (!best || d < best.d)) best = { name: c, d };
  }
  return best?.name;
}

/** gitleaks flags keyscan has no alias for, and what to do instead (issue 20). */
const GITLEAKS_FLAGS: Record<string, string> = {
  "no-banner": "keyscan prints no banner; drop it",
  verbose: "the text report shows every finding in full; drop it",
  v: "the text report shows every finding in full; drop it",
  redact: "keyscan redacts by default (--no-redact shows secrets); drop it",
  "max-target-megabytes": "use --max-file-size, e.g. --max-file-size 5MB",
  source: "name the folder as an argument: keyscan <path>",
  s: "name the folder as an argument: keyscan <path>",
  "log-level": "keyscan has no log levels; use --quiet for no progress line",
  "max-decode-depth": "keyscan looks through two layers of encoding; drop it",
  "no-git": "keyscan <path> scans files; keyscan history scans commits",
  "enable-rule": "turn rules off with the config's `disable` (docs/config.md); all others run",
  "ignore-gitleaks-allow": "use --ignore-inline-allow",
  "gitleaks-ignore-path": "keyscan reads .gitleaksignore from the working directory; move it there",
};

/** For yargs' "Unknown argument(s): a, b": a line per flag with the nearest known option, as the user typed it. */
export function unknownFlagHints(message: string, argv: readonly string[], known: readonly string[]): string {
  const m = /^Unknown arguments?: (.*)$/.exec(message);
  if (!m) return "";
  const typed = new Set(argv.filter((a) => a.startsWith("-")).map((a) => a.replace(/^-+/, "").replace(/=.*$/, "")));
  const lines: string[] = [];
  for (const listed of m[1]!.split(", ")) {
    // yargs lists `--no-x` as `x`, and also lists each flag's camelCase twin (skipped: not typed).
    const name = typed.has(listed) ? listed : typed.has(`no-${listed}`) ? `no-${listed}` : undefined;
    if (name === undefined) continue;
    const instead = GITLEAKS_FLAGS[name];
    if (instead) {
      lines.push(`keyscan: -${name.length > 1 ? "-" : ""}${name} is gitleaks': ${instead} (docs/gitleaks.md).\n`);
      continue;
    }
    const negated = name.startsWith("no-") && !known.includes(name);
    const near = closest(negated ? name.slice(3) : name, known.filter((k) => k.length > 1));
    if (near) lines.push(`keyscan: did you mean --${negated ? "no-" : ""}${near} (for --${name})?\n`);
  }
  return lines.join("");
}

/**
 * A first argument that is no command and no existing path but is near a command's name (`keyscan histroy`):
 * without this it would be scanned as a path that does not exist.
 */
export function commandTypo(argv: readonly string[], commands: readonly string[], cwd: string): string | undefined {
  const first = argv[0];
  if (first === undefined || first.startsWith("-") || commands.includes(first) || /[/\\.]/.test(first)) return undefined;
  if (existsSync(resolve(cwd, first))) return undefined;
  const near = closest(first, commands);
  return near ? `keyscan: \`${first}\` is neither a command nor a path here; did you mean \`keyscan ${near}\`?\nRun \`keyscan --help\` for the commands.\n` : undefined;
}
