/**
 * The config file: extra rule files, rules to turn off, paths to exclude, the size cap. Found as `.keyscan.yaml`,
 * `.keyscan.yml` or `.keyscan.json` in the working directory, or named with `--config`. A config found in (or
 * named inside) the scanned directory is the repository's own and therefore untrusted: its rules may match but may not verify (a
 * malicious repo must not be able to send found keys to its own server) unless the user says so on the command line.
 * Config files are data (YAML/JSON), never code, so loading one executes nothing.
 */
import { existsSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve, sep } from "node:path";
import type * as Yaml from "yaml";
import type * as Zod from "zod";
import { KeyscanError, describeCause } from "./errors.js";
import { readSmallRegularFile } from "./util/safe-read.js";

// yaml and zod are loaded only when a config file exists: importing them costs ~100 ms that a pre-commit run
// without a config should not pay (issue 7).
const lazyRequire = createRequire(import.meta.url);

export const CONFIG_NAMES = [".keyscan.yaml", ".keyscan.yml", ".keyscan.json"];

/**
 * The config file's keys. The descriptions are the documentation: docs/config.md and docs/config.schema.json are
 * generated from this schema (`npm run docs:config`; test/regression/issue-20-config-doc.test.ts keeps them current).
 */
export const configSchema = (z: typeof Zod.z) =>
  z
    .object({
      rules: z.array(z.string().min(1)).optional().describe("Extra rule files or folders, relative to the config file. Rules from a config inside the scanned checkout may match but not verify unless `--allow-repo-rules-verify` is given."),
      disable: z.array(z.string().min(1)).optional().describe("Rule ids (e.g. `getimg.api-key`) or provider ids (e.g. `getimg`) to turn off."),
      exclude: z.array(z.string().min(1)).optional().describe("gitignore-style patterns of paths not to scan (relative to the repository or scanned folder), added to `.keyscanignore`'s."),
      max_file_size: z.union([z.string(), z.number()]).optional().describe("Skip files larger than this, reported as skipped: bytes, or a size with a unit such as `512KB`, `10MB`, `1GB` (default 10MB; `--max-file-size` wins)."),
    })
    .strict()
    .describe("keyscan's config file: `.keyscan.yaml`, `.keyscan.yml` or `.keyscan.json` in the working directory, or named with `--config`.");

export interface LoadedConfig {
  file: string;
  /** Found by discovery in the scanned tree (untrusted) rather than named with --config. */
  fromRepo: boolean;
  rules: string[];
  disable: string[];
  exclude: string[];
  maxFileSize?: number;
}

export function parseSize(value: string | number, what: string): number {
  if (typeof value === "number") return value;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$/i.exec(value);
  if (!m) throw new KeyscanError("E_USAGE", `${what}: "${value}" is not a size; use bytes or a unit, e.g. 512KB, 10MB, 1GB.`);
  const unit = (m[2] ?? "b").toLowerCase()[0];
  const mult = unit === "k" ? 1024 : unit === "m" ? 1024 ** 2 : unit === "g" ? 1024 ** 3 : 1;
  return Math.floor(Number(m[1]) * mult);
}

/**
 * Whether `path` lies inside the working directory's tree (the checkout being scanned), links resolved. Such a file
 * is the repository's, whoever names it: in CI a pull request can change it (issue 19), so its rules may match but
 * not verify unless `--allow-repo-rules-verify` says so.
 */
export function insideCheckout(path: string, cwd: string): boolean {
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  const root = real(cwd);
  const target = real(resolve(cwd, path));
  return target === root || target.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * The config named with --config, or else the one found in `cwd`: in the working tree, or with `staged` (issue 20:
 * `keyscan --staged` reads keyscan's own files from the index, src/sources/index-files.ts) as staged.
 */
export function loadConfig(explicit: string | undefined, cwd: string, staged?: ReadonlyMap<string, string>): LoadedConfig | undefined {
  let file: string | undefined;
  let fromRepo = false;
  if (!explicit && staged) {
    const name = CONFIG_NAMES.find((n) => staged.has(n));
    return name === undefined ? undefined : parseConfig(resolve(cwd, name), staged.get(name)!, true);
  }
  if (explicit) {
    file = resolve(cwd, explicit);
    if (!existsSync(file)) throw new KeyscanError("E_CONFIG", `config file ${explicit} does not exist; check --config.`);
    fromRepo = insideCheckout(file, cwd); // e.g. the GitHub Action's `config:` input naming the repo's own file
  } else {
    file = CONFIG_NAMES.map((n) => resolve(cwd, n)).find((f) => existsSync(f));
    fromRepo = true;
    if (!file) return undefined;
  }
  // A config found in the scanned tree is the repository's: it may be a FIFO or a link to /dev/zero, so read it
  // non-blocking, regular files only, with a size cap.
  const read = readSmallRegularFile(file, { maxBytes: 1 << 20, followSymlinks: true });
  if (!read.ok) throw new KeyscanError("E_CONFIG", `config file ${file} ${read.message}; use a regular YAML or JSON file.`);
  return parseConfig(file, read.text, fromRepo);
}

function parseConfig(file: string, text: string, fromRepo: boolean): LoadedConfig {
  let data: unknown;
  try {
    data = file.endsWith(".json") ? JSON.parse(text) : (lazyRequire("yaml") as typeof Yaml).parse(text);
  } catch (err) {
    throw new KeyscanError("E_CONFIG", `config file ${file} cannot be parsed (${describeCause(err)}); fix its syntax.`, { cause: err });
  }
  const parsed = configSchema((lazyRequire("zod") as typeof Zod).z).safeParse(data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new KeyscanError("E_CONFIG", `config file ${file}: field \`${issue.path.join(".") || "(top level)"}\`: ${issue.message}`);
  }
  const base = dirname(file);
  const c = parsed.data;
  return {
    file,
    fromRepo,
    rules: (c.rules ?? []).map((r) => resolve(base, r)),
    disable: c.disable ?? [],
    exclude: c.exclude ?? [],
    ...(c.max_file_size !== undefined ? { maxFileSize: parseSize(c.max_file_size, `${file}: max_file_size`) } : {}),
  };
}
