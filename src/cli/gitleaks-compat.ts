/**
 * At home for gitleaks users (issue 20): gitleaks' report formats mapped to keyscan's (or a clear "use X instead"),
 * and gitleaks' own files in the checkout — `.gitleaks.toml` used when keyscan has no config of its own, and
 * `.gitleaksignore` read beside `.keyscanignore` — each said on stderr when used. Flags that are plain aliases
 * (`--report-path`, `--baseline-path`) are yargs aliases in common.ts; `--log-opts` is src/cli/log-opts.ts.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { KeyscanError } from "../errors.js";
import { parseGitleaksIgnore, type GitleaksIgnoreEntry } from "../finding-filters/gitleaks-ignore.js";
import { FORMAT_NAMES } from "../report/formats.js";
import { readSmallRegularFile } from "../util/safe-read.js";

export const GITLEAKS_CONFIG_FILE = ".gitleaks.toml";
export const GITLEAKS_IGNORE_FILE = ".gitleaksignore";

/** gitleaks' `--report-format` names that keyscan has no match for, and what to use instead. */
const UNSUPPORTED: Record<string, string> = {
  csv: "keyscan writes no CSV; use --format json (or jsonl, one finding per line) and convert with jq",
  junit: "keyscan writes no JUnit XML; use --format sarif (code scanning) or --format github (annotations)",
  template: "keyscan has no report templates; use --format json with jq, or --format markdown or html",
};

/** The keyscan format for `--report-format` (gitleaks' names json, sarif, csv, junit, template, or keyscan's own). */
export function reportFormat(name: string): string {
  const n = name.toLowerCase();
  if (FORMAT_NAMES.includes(n)) return n;
  const instead = UNSUPPORTED[n];
  if (instead) throw new KeyscanError("E_USAGE", `--report-format ${name}: ${instead}.`);
  throw new KeyscanError("E_USAGE", `unknown --report-format ${name}; use one of: ${FORMAT_NAMES.join(", ")}.`);
}

/** Where keyscan's own files come from: the working tree (cwd), or for `--staged` the index's texts. */
export interface GitleaksFiles {
  /** `.gitleaks.toml` to import as rules (absolute path), when keyscan has no config of its own. */
  config?: string;
  /** `.gitleaksignore` entries. */
  ignore: GitleaksIgnoreEntry[];
  /** For stderr: what was picked up. */
  notes: string[];
}

/**
 * gitleaks' files in `cwd`. `useConfig`: keyscan has no config (no `.keyscan.*`, no --config, no --gitleaks-config).
 * With `staged` (the index's texts, `keyscan --staged`), `.gitleaksignore` is the staged one, and `.gitleaks.toml`
 * is used only when staged as it is on disk (rules are loaded from a file; an unstaged edit is exit 2 saying so).
 */
export function gitleaksFiles(cwd: string, useConfig: boolean, staged?: ReadonlyMap<string, string>): GitleaksFiles {
  const out: GitleaksFiles = { ignore: [], notes: [] };
  if (useConfig) {
    const path = resolve(cwd, GITLEAKS_CONFIG_FILE);
    const onDisk = existsSync(path);
    if (staged) {
      const text = staged.get(GITLEAKS_CONFIG_FILE);
      if (text !== undefined) {
        const disk = onDisk ? readSmallRegularFile(path, { maxBytes: 4 << 20 }) : undefined;
        if (!disk?.ok || disk.text !== text) {
          throw new KeyscanError("E_CONFIG", `${GITLEAKS_CONFIG_FILE} has unstaged changes; stage them (git add ${GITLEAKS_CONFIG_FILE}) or stash them, so the rules checked are the ones committed.`);
        }
        out.config = path;
      }
    } else if (onDisk) out.config = path;
    if (out.config) out.notes.push(`keyscan: using ${GITLEAKS_CONFIG_FILE}'s rules and allowlists (no keyscan config here; \`keyscan --help\` for .keyscan.yaml)\n`);
  }
  const ignoreText = staged ? staged.get(GITLEAKS_IGNORE_FILE) : (() => {
    const r = readSmallRegularFile(resolve(cwd, GITLEAKS_IGNORE_FILE), { maxBytes: 4 << 20 });
    return r.ok ? r.text : undefined;
  })();
  if (ignoreText !== undefined) {
    const { entries, bad } = parseGitleaksIgnore(ignoreText);
    out.ignore = entries;
    out.notes.push(
      `keyscan: using ${GITLEAKS_IGNORE_FILE} (${entries.length} entr${entries.length === 1 ? "y" : "ies"}, matched by file and line)${bad ? `; ${bad} line${bad === 1 ? " is" : "s are"} not commit:file:rule:line or file:rule:line and ignored` : ""}\n`,
    );
  }
  return out;
}
