/**
 * gitleaks' `--log-opts` (issue 20) for `keyscan history` and `keyscan diff`: the git log options that select
 * commits — revisions and ranges, ref sets, dates, counts, authors — passed to keyscan's own `git rev-list` walk.
 * Anything else is refused (exit 2, naming it): an option such as `--output`, `--ext-diff`, `-c`, `--exec` or
 * `--textconv` could write a file, read one or run a program, and nothing in a scan may do that. An allowlist, not a
 * denylist, so an option git adds later is refused until someone decides it is safe.
 */
import { KeyscanError } from "../errors.js";

/** Options without a value. */
const FLAGS = new Set(["--all", "--branches", "--tags", "--remotes", "--first-parent", "--no-merges", "--merges", "--ancestry-path", "--no-min-parents", "--no-max-parents"]);
/** Options with a value (`--name=value` or `--name value`), and what the value may be. */
const VALUED: Record<string, RegExp> = {
  "--branches": /^[^\0]+$/,
  "--tags": /^[^\0]+$/,
  "--remotes": /^[^\0]+$/,
  "--glob": /^[^\0]+$/,
  "--exclude": /^[^\0]+$/,
  "--since": /^[^\0]+$/,
  "--after": /^[^\0]+$/,
  "--until": /^[^\0]+$/,
  "--before": /^[^\0]+$/,
  "--max-age": /^\d+$/,
  "--min-age": /^\d+$/,
  "--max-count": /^\d+$/,
  "--skip": /^\d+$/,
  "--min-parents": /^\d+$/,
  "--max-parents": /^\d+$/,
  "--author": /^[^\0]+$/,
  "--committer": /^[^\0]+$/,
  "--grep": /^[^\0]+$/,
};
/** A revision or range: names, `^rev`, `a..b`, `a...b`, `rev~2`, `rev^2`, `@{upstream}`; never an option. */
const REVISION = /^\^?[A-Za-z0-9_@{}~^./+:-]+$/;

/** Split an options string as a shell would for plain words and '…' or "…" quoting (no expansion of any kind). */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let current: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < text.length) current += text[++i]!;
      else current += c;
    } else if (/\s/.test(c)) {
      if (current !== undefined) words.push(current);
      current = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
      current ??= "";
    } else if (c === "\\" && i + 1 < text.length) current = (current ?? "") + text[++i]!;
    else current = (current ?? "") + c;
  }
  if (quote) throw new KeyscanError("E_USAGE", "--log-opts: unbalanced quotes.");
  if (current !== undefined) words.push(current);
  return words;
}

export interface LogOpts {
  /** rev-list arguments, checked. */
  args: string[];
  /** Whether they name revisions or ref sets (else keyscan's default revisions are added). */
  selectsRevisions: boolean;
}

/** Check `--log-opts`; every word must select commits, or it is exit 2 saying which and why. */
export function parseLogOpts(text: string): LogOpts {
  const words = splitWords(text);
  const args: string[] = [];
  let selectsRevisions = false;
  const refuse = (w: string): never => {
    throw new KeyscanError(
      "E_USAGE",
      `--log-opts: \`${w}\` is not allowed. keyscan passes on only options that select commits (revisions and ranges, --all, --branches, --tags, --remotes, --glob, --exclude, --since/--until, --max-count/-n, --skip, --author, --committer, --grep, --first-parent, --no-merges, --merges); nothing that could run a program or read or write a file.`,
    );
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === "--") throw new KeyscanError("E_USAGE", "--log-opts: paths (`-- <paths>`) are not taken; leave paths out with .keyscanignore or the config's `exclude`.");
    if (!w.startsWith("-")) {
      if (!REVISION.test(w)) refuse(w);
      args.push(w);
      selectsRevisions = true;
      continue;
    }
    const short = /^-n(\d*)$/.exec(w) ?? /^-(\d+)$/.exec(w);
    if (short) {
      const n = short[1] || words[++i];
      if (n === undefined || !/^\d+$/.test(n)) refuse(w);
      args.push(`--max-count=${n}`);
      continue;
    }
    const eq = w.indexOf("=");
    const name = eq > 0 ? w.slice(0, eq) : w;
    if (eq < 0 && FLAGS.has(name)) {
      args.push(name);
      if (name === "--all" || name === "--branches" || name === "--tags" || name === "--remotes") selectsRevisions = true;
      continue;
    }
    const valueRule = VALUED[name];
    if (!valueRule) refuse(w);
    const value = eq > 0 ? w.slice(eq + 1) : words[++i];
    if (value === undefined || !valueRule!.test(value)) refuse(w);
    args.push(`${name}=${value}`);
    if (name === "--branches" || name === "--tags" || name === "--remotes" || name === "--glob") selectsRevisions = true;
  }
  return { args, selectsRevisions };
}
