// The hostile and broken input catalogue (issue 8). One table: each case builds a tree in a temp dir, runs the
// real binary (or the library, where a case must change the tree at a known moment mid-scan), and checks the
// outcome. Every tree also holds a control file with a secret, found last in walk order, which proves the rest of
// the scan completed. Every case must end with no crash, a correct result or a clear per-file error, and the
// documented exit code (0 clean, 1 findings, 2 bad flag/config). Set KEYSCAN_CATALOGUE_TABLE=<file> to write the
// observed outcomes as the markdown table used in docs/trust.md and the issue's closing note.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, linkSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadRules } from "../../src/engine/load-rules.js";
import { scan } from "../../src/scan.js";
import { workingTreeSource } from "../../src/sources/working-tree.js";
import { printable } from "../../src/report/printable.js";
import { getimgKey, altTextKey, tempDir } from "./helpers.js";

const BIN = resolve(__dirname, "../../dist/cli/bin.js");
const CONTROL = "zz-control/control.env";
const IS_ROOT = process.getuid?.() === 0;
/**
 * Root ignores file permissions. Instead of switching user (which needs the checkout itself to be readable by that
 * user, and CI may clone into a private directory), run as root without the capabilities that bypass permission
 * checks, so a mode-000 file is a real EACCES (setpriv, from util-linux).
 */
const WITHOUT_DAC_OVERRIDE = ["--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search"];

interface Outcome {
  exitCode: number | null;
  findings: Array<{ path: string; line: number; column: number; ruleId: string }>;
  errors: Array<{ path: string; code: string; message: string }>;
  skipped: Array<{ path: string; code: string }>;
  stdout: string;
  stderr: string;
}

interface Ctx {
  dir: string;
  /** Secrets planted by the case, by name. */
  s: Record<string, string>;
}

interface Case {
  name: string;
  /** What must happen, in words (the table's "expected" column). */
  expected: string;
  setup(ctx: Ctx): void | Promise<void>;
  /** CLI arguments before `-f json` (default `.`). */
  args?: string[];
  /** Run the CLI without the capabilities that let root ignore file permissions. */
  honourPermissions?: boolean;
  /** Run through the library with a hook that changes the tree just before the named file is read. */
  beforeRead?: { file: string; act(ctx: Ctx): void };
  /** Bytes piped to standard input (with args `-`). */
  stdin?: (ctx: Ctx) => Buffer;
  /** The control file is not expected (a usage error, or a stdin case). */
  noControl?: boolean;
  check(o: Outcome, ctx: Ctx): void;
}

function mkfifo(path: string): void {
  // node:fs has no mkfifo; coreutils does.
  const r = spawnSync("mkfifo", [path]);
  if (r.status !== 0) throw new Error(`mkfifo failed: ${r.stderr}`);
}

const found = (o: Outcome) => o.findings.map((f) => `${f.path}:${f.line}:${f.column}`);
const codesOf = (list: Array<{ path: string; code: string }>) => list.map((p) => `${p.path} ${p.code}`);

const CASES: Case[] = [
  {
    name: "empty file",
    expected: "scanned, nothing found, exit 1 only for the control",
    setup: ({ dir }) => writeFileSync(join(dir, "empty.txt"), ""),
    check: (o) => {
      expect(o.errors).toEqual([]);
      expect(found(o)).toEqual([`${CONTROL}:1:16`]);
    },
  },
  {
    name: "1 GB sparse file",
    expected: "skipped by size from fstat (E_TOO_LARGE) without reading it",
    setup: ({ dir }) => {
      const r = spawnSync("truncate", ["-s", "1G", join(dir, "huge.bin")]);
      expect(r.status).toBe(0);
    },
    check: (o) => {
      expect(codesOf(o.skipped)).toContain("huge.bin E_TOO_LARGE");
      expect(found(o)).toEqual([`${CONTROL}:1:16`]);
    },
  },
  {
    name: "50 MB single-line minified file, secret near the end (--max-file-size 64MB)",
    expected: "secret found at line 1 and its exact column",
    args: [".", "--max-file-size", "64MB"],
    setup: ({ dir, s }) => {
      s.k = getimgKey();
      const unit = 'var a=function(b,c){return b+c};var d={e:"f",g:[1,2,3]};';
      const head = unit.repeat(Math.ceil(50e6 / unit.length)).slice(0, 50e6 - 300);
      writeFileSync(join(dir, "bundle.min.js"), `${head};const k="${s.k}";${unit}`);
      s.col = String(head.length + ';const k="'.length + 1);
    },
    check: (o, { s }) => {
      expect(found(o)).toEqual([`bundle.min.js:1:${s.col}`, `${CONTROL}:1:16`]);
    },
  },
  {
    name: "binary file (NUL in the first 8000 bytes) holding a secret",
    expected: "skipped as binary (E_BINARY), the scan goes on",
    setup: ({ dir }) => writeFileSync(join(dir, "image.png"), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13]), Buffer.from(`GETIMG_API_KEY=${getimgKey()}`)])),
    check: (o) => {
      expect(codesOf(o.skipped)).toEqual(["image.png E_BINARY"]);
      expect(found(o)).toEqual([`${CONTROL}:1:16`]);
    },
  },
  {
    name: "UTF-16 LE with BOM",
    expected: "decoded; secret at its line and column (BOM not counted)",
    setup: ({ dir, s }) => {
      s.k = getimgKey();
      const text = `first\r\nsecond\r\n    GETIMG_API_KEY=${s.k}\r\n`;
      writeFileSync(join(dir, "utf16le.txt"), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
    },
    check: (o) => expect(found(o)).toEqual([`utf16le.txt:3:20`, `${CONTROL}:1:16`]),
  },
  {
    name: "UTF-16 BE with BOM",
    expected: "decoded; secret at its line and column",
    setup: ({ dir, s }) => {
      s.k = getimgKey();
      const le = Buffer.from(`first\nGETIMG_API_KEY=${s.k}\n`, "utf16le");
      const be = Buffer.alloc(le.length);
      for (let i = 0; i < le.length; i += 2) (be[i] = le[i + 1]!), (be[i + 1] = le[i]!);
      writeFileSync(join(dir, "utf16be.txt"), Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
    },
    check: (o) => expect(found(o)).toEqual([`utf16be.txt:2:16`, `${CONTROL}:1:16`]),
  },
  {
    name: "UTF-8 with BOM",
    expected: "BOM not counted in the column",
    setup: ({ dir }) => writeFileSync(join(dir, "bom.env"), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`GETIMG_API_KEY=${getimgKey()}\n`)])),
    check: (o) => expect(found(o)).toEqual([`bom.env:1:16`, `${CONTROL}:1:16`]),
  },
  {
    name: "invalid UTF-8 before the secret on the same line",
    expected: "found; each invalid byte counts as one column (U+FFFD)",
    setup: ({ dir }) => writeFileSync(join(dir, "latin1.txt"), Buffer.concat([Buffer.from("caf"), Buffer.from([0xe9, 0xff, 0xc3]), Buffer.from(` GETIMG_API_KEY=${getimgKey()}\n`)])),
    // "caf" + three U+FFFD (0xE9, 0xFF, and 0xC3 cut short by the space) + " GETIMG_API_KEY=" is 22 characters.
    check: (o) => expect(found(o)).toEqual([`latin1.txt:1:23`, `${CONTROL}:1:16`]),
  },
  {
    name: "CRLF line endings",
    expected: "line and column right",
    setup: ({ dir }) => writeFileSync(join(dir, "crlf.env"), `a=1\r\nb=2\r\n\r\n  GETIMG_API_KEY=${getimgKey()}\r\n`),
    check: (o) => expect(found(o)).toEqual([`crlf.env:4:18`, `${CONTROL}:1:16`]),
  },
  {
    name: "lone CR line endings (classic Mac)",
    expected: "each CR ends a line; line and column right",
    setup: ({ dir }) => writeFileSync(join(dir, "cr.env"), `a=1\rb=2\r\r GETIMG_API_KEY=${getimgKey()}\r`),
    check: (o) => expect(found(o)).toEqual([`cr.env:4:17`, `${CONTROL}:1:16`]),
  },
  {
    name: "mixed \\n, \\r\\n and \\r endings",
    expected: "line and column right",
    setup: ({ dir }) => writeFileSync(join(dir, "mixed.env"), `a\nb\r\nc\rd\n\r\nGETIMG_API_KEY=${getimgKey()}\n`),
    check: (o) => expect(found(o)).toEqual([`mixed.env:6:16`, `${CONTROL}:1:16`]),
  },
  {
    name: "file name with a newline, quotes, spaces and a terminal escape",
    expected: "found; JSON has the exact name; text output escapes control characters",
    setup: ({ dir }) => {
      writeFileSync(join(dir, 'we"ird \'name\n1 secret found\u001b[2J.env'), `GETIMG_API_KEY=${getimgKey()}\n`);
    },
    check: (o, { dir }) => {
      expect(found(o)).toEqual([`we"ird 'name\n1 secret found\u001b[2J.env:1:16`, `${CONTROL}:1:16`]);
      const text = spawnSync(process.execPath, [BIN, "."], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
      // Escaped as \n or \x0a, \x1b: never the raw characters.
      expect(text.stdout).toMatch(/we"ird 'name\\(n|x0a)1 secret found\\x1b\[2J\.env:1:16/);
      expect(text.stdout).not.toContain("\u001b");
    },
  },
  {
    name: "files named `--version` and `-rf` found by the walker",
    expected: "scanned as files, never parsed as flags",
    setup: ({ dir }) => {
      writeFileSync(join(dir, "--version"), `GETIMG_API_KEY=${getimgKey()}\n`);
      writeFileSync(join(dir, "-rf"), `ALTTEXT_API_KEY=${altTextKey()}\n`);
    },
    check: (o) => expect(found(o)).toEqual(["--version:1:16", "-rf:1:17", `${CONTROL}:1:16`]),
  },
  {
    name: "a file named `--version` given explicitly after `--`",
    expected: "scanned as a file",
    args: ["--", "--version", "zz-control"],
    setup: ({ dir }) => writeFileSync(join(dir, "--version"), `GETIMG_API_KEY=${getimgKey()}\n`),
    check: (o) => expect(found(o)).toEqual(["--version:1:16", `${CONTROL}:1:16`]),
  },
  {
    name: "the same file reached through several path arguments (`. src src/a.env`)",
    expected: "read and reported once",
    args: [".", "src", "src/a.env"],
    setup: ({ dir }) => {
      mkdirSync(join(dir, "src"));
      writeFileSync(join(dir, "src", "a.env"), `GETIMG_API_KEY=${getimgKey()}\n`);
    },
    check: (o) => expect(found(o)).toEqual(["src/a.env:1:16", `${CONTROL}:1:16`]),
  },
  {
    name: "file name that is not valid UTF-8 (bytes 0xE9 0xFF)",
    expected: "opened by its real bytes and scanned; shown with \\xNN escapes",
    setup: ({ dir }) => writeFileSync(Buffer.concat([Buffer.from(`${dir}/caf`), Buffer.from([0xe9, 0xff]), Buffer.from(".env")]), `GETIMG_API_KEY=${getimgKey()}\n`),
    check: (o) => {
      expect(o.errors).toEqual([]);
      expect(found(o)).toEqual(["caf\\xe9\\xff.env:1:16", `${CONTROL}:1:16`]);
    },
  },
  {
    name: "NUL in a file name",
    expected: "impossible on Linux (the kernel ends names at NUL; Node refuses such a path), so nothing to scan",
    setup: ({ dir }) => {
      expect(() => writeFileSync(join(dir, "a\0b.txt"), "x")).toThrow(/null bytes|ERR_INVALID_ARG/);
    },
    check: (o) => expect(found(o)).toEqual([`${CONTROL}:1:16`]),
  },
  {
    name: `permission-denied file and directory${IS_ROOT ? " (run as root without CAP_DAC_OVERRIDE: root ignores permissions)" : ""}`,
    expected: "clear per-file E_READ errors (EACCES), the rest scanned, exit 1 for the control",
    honourPermissions: IS_ROOT,
    setup: ({ dir }) => {
      writeFileSync(join(dir, "locked.env"), `GETIMG_API_KEY=${getimgKey()}\n`);
      mkdirSync(join(dir, "locked-dir"));
      writeFileSync(join(dir, "locked-dir", "inner.env"), `GETIMG_API_KEY=${getimgKey()}\n`);
      chmodSync(join(dir, "locked.env"), 0o000);
      chmodSync(join(dir, "locked-dir"), 0o000);
    },
    check: (o) => {
      expect(o.errors.map((e) => `${e.path} ${e.code} ${/EACCES/.test(e.message)}`)).toEqual(["locked-dir E_READ true", "locked.env E_READ true"]);
      expect(found(o)).toEqual([`${CONTROL}:1:16`]);
    },
  },
  {
    name: "path longer than PATH_MAX (4096) deep in the tree",
    expected: "clear E_READ error (ENAMETOOLONG) for that directory, the rest scanned",
    setup: ({ dir }) => {
      // mkdir with a long absolute path fails, so descend step by step in a shell.
      // mkdir with a long absolute path fails, so a child process descends with relative chdir/mkdir steps.
      mkdirSync(join(dir, "deep"));
      const script = `const fs = require("fs"); process.chdir(process.argv[1]); for (let i = 0; i < 22; i++) { fs.mkdirSync("d".repeat(200)); process.chdir("d".repeat(200)); } fs.writeFileSync("deep.env", "GETIMG_API_KEY=" + process.argv[2] + "\\n");`;
      const r = spawnSync(process.execPath, ["-e", script, join(dir, "deep"), getimgKey()], { encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
    },
    check: (o) => {
      expect(o.errors).toHaveLength(1);
      expect(o.errors[0]!.code).toBe("E_READ");
      expect(o.errors[0]!.message).toMatch(/ENAMETOOLONG/);
      expect(found(o)).toEqual([`${CONTROL}:1:16`]);
    },
  },
  {
    name: "symlink loops (a→b→a, dir→..)",
    expected: "not followed (E_SYMLINK skips), no hang",
    setup: ({ dir }) => {
      symlinkSync("b", join(dir, "a"));
      symlinkSync("a", join(dir, "b"));
      mkdirSync(join(dir, "sub"));
      symlinkSync("..", join(dir, "sub", "up"));
    },
    check: (o) => {
      expect(codesOf(o.skipped).sort()).toEqual(["a E_SYMLINK", "b E_SYMLINK", "sub/up E_SYMLINK"]);
      expect(found(o)).toEqual([`${CONTROL}:1:16`]);
    },
  },
  {
    name: "symlinks out of the tree (to a file and a folder with secrets)",
    expected: "not followed; the outside secrets are not read",
    setup: ({ dir }) => {
      const outside = tempDir();
      writeFileSync(join(outside, "secret.env"), `GETIMG_API_KEY=${getimgKey()}\n`);
      symlinkSync(join(outside, "secret.env"), join(dir, "link.env"));
      symlinkSync(outside, join(dir, "linkdir"));
    },
    check: (o) => {
      expect(codesOf(o.skipped).sort()).toEqual(["link.env E_SYMLINK", "linkdir E_SYMLINK"]);
      expect(found(o)).toEqual([`${CONTROL}:1:16`]);
    },
  },
  {
    name: "symlinked .gitignore pointing out of the tree (to a file that says `*`)",
    expected: "not followed (as git ≥ 2.32), so it hides nothing",
    setup: ({ dir }) => {
      const outside = tempDir();
      writeFileSync(join(outside, "ignore-all"), "*\n");
      symlinkSync(join(outside, "ignore-all"), join(dir, ".gitignore"));
      writeFileSync(join(dir, "app.env"), `GETIMG_API_KEY=${getimgKey()}\n`);
    },
    check: (o) => expect(found(o)).toEqual(["app.env:1:16", `${CONTROL}:1:16`]),
  },
  {
    name: "a FIFO in the tree and one named on the command line",
    expected: "skipped (E_NOT_REGULAR); the scan does not block",
    args: ["named-pipe", "tree", "zz-control"],
    setup: ({ dir }) => {
      mkfifo(join(dir, "named-pipe"));
      mkdirSync(join(dir, "tree"));
      mkfifo(join(dir, "tree", "pipe"));
    },
    check: (o) => {
      expect(codesOf(o.skipped)).toEqual(["named-pipe E_NOT_REGULAR", "tree/pipe E_NOT_REGULAR"]);
      expect(found(o)).toEqual([`${CONTROL}:1:16`]);
    },
  },
  {
    name: "a Unix socket in the tree",
    expected: "skipped (E_NOT_REGULAR)",
    setup: async ({ dir }) => {
      // Closing a server unlinks its socket, so keep a second link to the socket inode under the name scanned.
      const server = createServer();
      await new Promise<void>((ok) => server.listen(join(dir, "listen.sock"), ok));
      linkSync(join(dir, "listen.sock"), join(dir, "app.sock"));
      await new Promise<void>((ok) => server.close(() => ok()));
    },
    check: (o) => {
      expect(codesOf(o.skipped)).toEqual(["app.sock E_NOT_REGULAR"]);
      expect(found(o)).toEqual([`${CONTROL}:1:16`]);
    },
  },
  {
    name: ".gitignore and .keyscanignore that are FIFOs (hostile repo)",
    expected: "treated as absent; the scan does not block",
    setup: ({ dir }) => {
      mkfifo(join(dir, ".gitignore"));
      mkdirSync(join(dir, "sub"));
      mkfifo(join(dir, "sub", ".keyscanignore"));
      writeFileSync(join(dir, "sub", "app.env"), `GETIMG_API_KEY=${getimgKey()}\n`);
    },
    check: (o) => {
      expect(found(o)).toEqual(["sub/app.env:1:16", `${CONTROL}:1:16`]);
      expect(codesOf(o.skipped).sort()).toEqual([".gitignore E_NOT_REGULAR", "sub/.keyscanignore E_NOT_REGULAR"]);
    },
  },
  {
    name: "a discovered .keyscan.yaml that is a FIFO",
    expected: "exit 2 with a message naming the config file; never blocks",
    noControl: true,
    setup: ({ dir }) => mkfifo(join(dir, ".keyscan.yaml")),
    check: (o) => {
      expect(o.exitCode).toBe(2);
      expect(o.stderr).toMatch(/config file .*\.keyscan\.yaml is not a regular file; use a regular YAML or JSON file/);
    },
  },
  {
    name: "a discovered .keyscan.yaml whose rules name a FIFO and /dev/zero",
    expected: "exit 2 with a message naming the rules path; never blocks or reads without end",
    noControl: true,
    setup: ({ dir }) => {
      mkdirSync(join(dir, "rules"));
      mkfifo(join(dir, "rules", "evil.yaml"));
      writeFileSync(join(dir, ".keyscan.yaml"), "rules: [rules]\n");
    },
    check: (o, { dir }) => {
      expect(o.exitCode).toBe(2);
      expect(o.stderr).toMatch(/rule file .*evil\.yaml is not a regular file; check --rules\/--config/);
      writeFileSync(join(dir, ".keyscan.yaml"), "rules: [/dev/zero]\n");
      const r = spawnSync(process.execPath, [BIN, "."], { cwd: dir, encoding: "utf8", timeout: 20_000 });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/rules path \/dev\/zero is neither a file nor a folder/);
    },
  },
  {
    name: "directories nested 1,000 deep",
    expected: "walked without recursion limits; the deepest secret found",
    setup: ({ dir }) => {
      const deep = join(dir, ...Array.from({ length: 1000 }, () => "d"));
      mkdirSync(deep, { recursive: true });
      writeFileSync(join(deep, "deep.env"), `GETIMG_API_KEY=${getimgKey()}\n`);
    },
    check: (o) => expect(found(o)).toEqual([`${"d/".repeat(1000)}deep.env:1:16`, `${CONTROL}:1:16`]),
  },
  {
    name: "a million lone-CR line endings before a secret",
    expected: "found at line 1,000,001",
    setup: ({ dir }) => writeFileSync(join(dir, "many.txt"), `${"\r".repeat(1_000_000)}GETIMG_API_KEY=${getimgKey()}`),
    check: (o) => expect(found(o)).toEqual(["many.txt:1000001:16", `${CONTROL}:1:16`]),
  },
  {
    name: "standard input: UTF-16 LE with BOM and CRLF",
    expected: "decoded; secret at its line and column under the --stdin-filename name",
    args: ["-", "--stdin-filename", "piped.env"],
    noControl: true,
    stdin: () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`a=1\r\n  GETIMG_API_KEY=${getimgKey()}\r\n`, "utf16le")]),
    setup: () => undefined,
    check: (o) => {
      expect(o.exitCode).toBe(1);
      expect(found(o)).toEqual(["piped.env:2:18"]);
    },
  },
  {
    name: "standard input: binary",
    expected: "skipped as binary (E_BINARY), exit 0",
    args: ["-"],
    noControl: true,
    stdin: () => Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0]), Buffer.from(`GETIMG_API_KEY=${getimgKey()}`)]),
    setup: () => undefined,
    check: (o) => {
      expect(o.exitCode).toBe(0);
      expect(codesOf(o.skipped)).toEqual(["<stdin> E_BINARY"]);
    },
  },
  {
    name: "a file deleted during the scan",
    expected: "clear per-file E_READ (ENOENT), the scan completes",
    beforeRead: { file: "doomed.env", act: ({ dir }) => rmSync(join(dir, "doomed.env")) },
    setup: ({ dir }) => writeFileSync(join(dir, "doomed.env"), `GETIMG_API_KEY=${getimgKey()}\n`),
    check: (o) => {
      expect(o.errors.map((e) => `${e.path} ${e.code}`)).toEqual(["doomed.env E_READ"]);
      expect(o.errors[0]!.message).toMatch(/ENOENT/);
      expect(found(o)).toEqual([`${CONTROL}:1:16`]);
    },
  },
  {
    name: "a file swapped for a FIFO during the scan",
    expected: "not read (E_NOT_REGULAR); does not block",
    beforeRead: {
      file: "swap.env",
      act: ({ dir }) => {
        rmSync(join(dir, "swap.env"));
        mkfifo(join(dir, "swap.env"));
      },
    },
    setup: ({ dir }) => writeFileSync(join(dir, "swap.env"), "x\n"),
    check: (o) => {
      expect(codesOf(o.skipped)).toEqual(["swap.env E_NOT_REGULAR"]);
      expect(found(o)).toEqual([`${CONTROL}:1:16`]);
    },
  },
  {
    name: "a file swapped for a symlink out of the tree during the scan",
    expected: "not followed (E_SYMLINK); the outside secret is not read",
    beforeRead: {
      file: "swap.env",
      act: ({ dir, s }) => {
        rmSync(join(dir, "swap.env"));
        symlinkSync(s.outside!, join(dir, "swap.env"));
      },
    },
    setup: ({ dir, s }) => {
      writeFileSync(join(dir, "swap.env"), "x\n");
      const outside = tempDir();
      s.outside = join(outside, "secret.env");
      writeFileSync(s.outside, `GETIMG_API_KEY=${getimgKey()}\n`);
    },
    check: (o) => {
      expect(codesOf(o.skipped)).toEqual(["swap.env E_SYMLINK"]);
      expect(found(o)).toEqual([`${CONTROL}:1:16`]);
    },
  },
  {
    name: "a directory replaced by a file during the scan",
    expected: "clear E_READ (ENOTDIR) for the directory, the scan completes",
    beforeRead: {
      file: "a.txt",
      act: ({ dir }) => {
        rmSync(join(dir, "b-dir"), { recursive: true });
        writeFileSync(join(dir, "b-dir"), "now a file\n");
      },
    },
    setup: ({ dir }) => {
      writeFileSync(join(dir, "a.txt"), "x\n");
      mkdirSync(join(dir, "b-dir"));
      writeFileSync(join(dir, "b-dir", "inner.env"), `GETIMG_API_KEY=${getimgKey()}\n`);
    },
    check: (o) => {
      expect(o.errors.map((e) => `${e.path} ${e.code}`)).toEqual(["b-dir E_READ"]);
      expect(o.errors[0]!.message).toMatch(/ENOTDIR/);
      expect(found(o)).toEqual([`${CONTROL}:1:16`]);
    },
  },
  {
    name: "a file that grows past --max-file-size between the check and the read",
    expected: "skipped (E_TOO_LARGE); never read past the limit",
    args: [".", "--max-file-size", "1KB"],
    beforeRead: {
      file: "growing.log",
      act: ({ dir }) => {
        // Renaming a big file over it keeps the walk's view (a small regular file) but changes what open() sees.
        writeFileSync(join(dir, "big.tmp"), "y".repeat(4096));
        renameSync(join(dir, "big.tmp"), join(dir, "growing.log"));
      },
    },
    setup: ({ dir }) => writeFileSync(join(dir, "growing.log"), "small\n"),
    check: (o) => {
      expect(codesOf(o.skipped)).toEqual(["growing.log E_TOO_LARGE"]);
      expect(found(o)).toEqual([`${CONTROL}:1:16`]);
    },
  },
];

function runCli(c: Case, ctx: Ctx): Outcome {
  const args = ["-f", "json", ...(c.args ?? ["."])];
  const [cmd, argv] = c.honourPermissions ? ["setpriv", [...WITHOUT_DAC_OVERRIDE, process.execPath, BIN, ...args]] : [process.execPath, [BIN, ...args]];
  const r = spawnSync(cmd, argv as string[], {
    cwd: ctx.dir,
    encoding: "utf8",
    // Generous: a hang is still caught, but a slow shared CI machine scanning 50 MB with every rule is not a failure.
    timeout: 150_000,
    maxBuffer: 64 << 20,
    env: { ...process.env, NO_COLOR: "1" },
    ...(c.stdin ? { input: c.stdin(ctx) } : {}),
  });
  if (r.error) throw r.error;
  let parsed = { findings: [], errors: [], skipped: [] };
  if (r.stdout.trim()) parsed = JSON.parse(r.stdout);
  return { exitCode: r.status, stdout: r.stdout, stderr: r.stderr, ...pick(parsed) };
}

function pick(result: { findings: Outcome["findings"]; errors: Outcome["errors"]; skipped: Outcome["skipped"] }) {
  return {
    findings: result.findings.map((f) => ({ path: f.path, line: f.line, column: f.column, ruleId: f.ruleId })),
    errors: result.errors.map((e) => ({ path: e.path, code: e.code, message: e.message })),
    skipped: result.skipped.map((e) => ({ path: e.path, code: e.code })),
  };
}

async function runLibrary(c: Case, ctx: Ctx): Promise<Outcome> {
  const hook = c.beforeRead!;
  const maxFileSize = c.args?.includes("--max-file-size") ? 1024 : 10 << 20;
  const source = workingTreeSource({
    paths: ["."],
    cwd: ctx.dir,
    maxFileSize,
    beforeRead: (shown) => {
      if (shown === hook.file) hook.act(ctx);
    },
  });
  const result = await scan(source, loadRules());
  return { exitCode: result.findings.length > 0 ? 1 : 0, stdout: "", stderr: "", ...pick(result) };
}

/** Paths in the table are cut to a readable length (the PATH_MAX case has a 4 KB one). */
function short(path: string): string {
  const p = printable(path);
  return p.length > 60 ? `${p.slice(0, 24)}…(${p.length} chars)` : p;
}

function observed(o: Outcome): string {
  const parts = [`exit ${o.exitCode}`];
  const f = o.findings.filter((x) => x.path !== CONTROL).map((x) => `${short(x.path)}:${x.line}:${x.column}`);
  if (f.length) parts.push(`found ${f.join(", ")}`);
  if (o.findings.some((x) => x.path === CONTROL)) parts.push("control found");
  if (o.errors.length) parts.push(`errors ${o.errors.map((e) => `${short(e.path)} ${e.code} (${(/E[A-Z]{3,}/.exec(e.message) ?? [""])[0]})`).join(", ")}`);
  if (o.skipped.length) parts.push(`skipped ${o.skipped.map((e) => `${short(e.path)} ${e.code}`).join(", ")}`);
  if (o.exitCode === 2) parts.push(`stderr "${o.stderr.trim().split("\n")[0]!.replace(/\/tmp\/[^ ]*\//, "…/")}"`);
  return parts.join("; ").replace(/\|/g, "\\|");
}

const table: string[] = [];

describe("hostile and broken input catalogue", () => {
  it("has the built binary to run (npm ci builds it; else run `npx tsc -p .`)", () => {
    expect(existsSync(BIN)).toBe(true);
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const dir = tempDir();
      const ctx: Ctx = { dir, s: {} };
      mkdirSync(join(dir, "zz-control"));
      writeFileSync(join(dir, CONTROL), `GETIMG_API_KEY=${getimgKey()}\n`);
      await c.setup(ctx);
      const o = c.beforeRead ? await runLibrary(c, ctx) : runCli(c, ctx);
      table.push(`| ${c.name.replace(/\|/g, "\\|")} | ${c.expected} | ${observed(o)} |`);
      // No crash: a JSON report (or, for exit 2, one clear message) and never a stack trace.
      expect(o.stderr).not.toMatch(/internal error|\n\s+at /);
      if (!c.noControl) {
        expect(o.exitCode).toBe(1);
        expect(o.findings.some((f) => f.path === CONTROL)).toBe(true);
      }
      c.check(o, ctx);
    }, 180_000);
  }

  afterAll(() => {
    const out = process.env.KEYSCAN_CATALOGUE_TABLE;
    if (out) writeFileSync(out, `| case | expected | observed |\n|---|---|---|\n${table.join("\n")}\n`);
  });
});
