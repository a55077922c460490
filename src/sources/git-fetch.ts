/**
 * `git fetch` for a repository keyscan does not trust (issue 19). A fetch reads far more of the repository's own
 * configuration than the plumbing commands do, and much of it names programs: `remote.<name>.uploadpack`,
 * `core.sshCommand`, `core.gitProxy`, credential helpers, `core.askPass`, `url.<base>.insteadOf` rewriting to an
 * `ext::` transport, hooks run by ref updates and auto-gc. Overriding each key with `-c` is a list that is never
 * complete (URL-scoped keys, includes), so the fetch does not run in the repository at all: it runs in a fresh,
 * empty bare repository in a private temp folder, whose only configuration is ours (plus the user's global and
 * system files), with the scanned repository's object folder as its object store. What it needs from the scanned
 * repository's config is read as data, never executed: the remote's URL (refused unless it is https, http, ssh,
 * git, file or a plain path) and `http.*.extraheader` (actions/checkout keeps its token there). The refs it fetches
 * and the shallow boundary are copied back with plumbing (`update-ref --stdin`, a rename of `shallow`).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { gitRaw, SAFE_GIT_CONFIG, type GitContext, type GitOutput } from "./git.js";

/** Transports a fetch may use: never `ext::` (runs a command) or `fd::`. Also given to git as GIT_ALLOW_PROTOCOL. */
const ALLOWED_PROTOCOLS = "https:http:ssh:git:file";

/** Settings for the isolated fetch itself: nothing it runs may start a program or write outside the repository. */
const FETCH_CONFIG: readonly string[] = [
  "gc.auto=0",
  "maintenance.auto=false",
  "fetch.writeCommitGraph=false",
  "fetch.recurseSubmodules=false",
  "credential.helper=",
  "core.askPass=",
  "core.sshCommand=ssh",
  "http.saveCookies=false",
  "protocol.allow=never",
  ...ALLOWED_PROTOCOLS.split(":").map((p) => `protocol.${p}.allow=always`),
].flatMap((kv) => ["-c", kv]);

/** Environment that could point git at another repository, object store or program; dropped for the fetch. */
const DROPPED_ENV = /^GIT_(DIR|WORK_TREE|INDEX_FILE|OBJECT_DIRECTORY|ALTERNATE_OBJECT_DIRECTORIES|COMMON_DIR|NAMESPACE|CEILING_DIRECTORIES|CONFIG_PARAMETERS|CONFIG_COUNT|CONFIG_KEY_\d+|CONFIG_VALUE_\d+|PROXY_COMMAND|EXEC_PATH)$/;

/** A remote URL is accepted when its transport is one of ours; `ext::…`, `fd::…` and option-like values are not. */
export function acceptableRemoteUrl(url: string): boolean {
  if (url.length === 0 || url.startsWith("-") || /[\0\r\n]/.test(url)) return false;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme !== undefined) return ALLOWED_PROTOCOLS.split(":").includes(scheme);
  if (url.includes("::")) return false; // transport helpers: <transport>::<address>
  return true; // scp-like `user@host:path` (ssh) or a local path
}

function refused(message: string): GitOutput {
  return { code: 128, stdout: Buffer.alloc(0), stderr: `fatal: ${message}\n` };
}

async function text(ctx: GitContext, args: readonly string[]): Promise<string | undefined> {
  const r = await gitRaw(ctx, args);
  return r.code === 0 ? r.stdout.toString("utf8").trim() : undefined;
}

function run(cwd: string, env: NodeJS.ProcessEnv, args: readonly string[], input = ""): Promise<GitOutput> {
  return new Promise((resolvePromise) => {
    const child = spawn("git", [...SAFE_GIT_CONFIG, ...args], { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => resolvePromise(refused(`cannot run git (${e.message})`)));
    child.on("close", (code) => resolvePromise({ code: code ?? 128, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8") }));
    child.stdin.on("error", () => undefined);
    child.stdin.end(input);
  });
}

/**
 * Run `git fetch <fetchArgs>` (flags, then the remote name or URL, then refspecs or commit ids) for the repository
 * at `ctx.cwd` without reading its configuration. Refs the refspecs name are updated in the repository afterwards.
 */
export async function isolatedFetch(ctx: GitContext, fetchArgs: readonly string[]): Promise<GitOutput> {
  const flags = fetchArgs.filter((a) => a.startsWith("-"));
  const [remote, ...rest] = fetchArgs.filter((a) => !a.startsWith("-"));
  if (remote === undefined) return refused("no remote to fetch from");
  const commonDir = await text(ctx, ["rev-parse", "--path-format=absolute", "--git-common-dir"]);
  if (commonDir === undefined) return refused("not a git repository");
  const configured = /^[A-Za-z0-9._-]+$/.test(remote) ? await text(ctx, ["config", "--get", `remote.${remote}.url`]) : undefined;
  let url = configured ?? remote;
  if (!acceptableRemoteUrl(url)) return refused(`the URL of remote ${remote} uses a transport keyscan does not run (only ${ALLOWED_PROTOCOLS.replaceAll(":", ", ")})`);
  // A relative local path is relative to the work tree, not to the temp folder the fetch runs in.
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url) && !/^[^/]*@?[^/]+:/.test(url) && !isAbsolute(url)) url = resolve(ctx.cwd, url);
  const headers = (await text(ctx, ["config", "--get-regexp", "^http\\..*extraheader$"])) ?? "";
  // Symbolic refs (refs/remotes/origin/HEAD) stay out: copied as plain refs they would be "updated" twice.
  const listed = (await text(ctx, ["for-each-ref", "--format=%(objectname) %(refname) %(symref)", "refs/heads", "refs/remotes", "refs/tags"])) ?? "";
  const refs = listed.split("\n").map((l) => l.split(" ")).filter((p) => p.length >= 2 && !p[2]).map((p) => `${p[0]} ${p[1]}`).join("\n");

  const temp = mkdtempSync(join(tmpdir(), "keyscan-fetch-"));
  try {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(ctx.env)) if (!DROPPED_ENV.test(k)) env[k] = v;
    Object.assign(env, { GIT_TERMINAL_PROMPT: "0", GIT_ALLOW_PROTOCOL: ALLOWED_PROTOCOLS, GIT_OPTIONAL_LOCKS: "0" });
    const init = await run(temp, env, ["init", "--bare", "-q", "."]);
    if (init.code !== 0) return init;
    env.GIT_DIR = temp;
    env.GIT_OBJECT_DIRECTORY = join(commonDir, "objects");
    for (const line of headers.split("\n").filter(Boolean)) {
      const space = line.indexOf(" ");
      if (space > 0) await run(temp, env, ["config", "--add", line.slice(0, space), line.slice(space + 1)]);
    }
    // The repository's refs, so that the fetch negotiates from what is already here instead of fetching it again.
    if (refs) writeFileSync(join(temp, "packed-refs"), refs + "\n");
    const shallow = join(commonDir, "shallow");
    if (existsSync(shallow)) writeFileSync(join(temp, "shallow"), readFileSync(shallow));
    const fetched = await run(temp, env, [...FETCH_CONFIG, "fetch", "--no-write-fetch-head", ...flags, url, ...rest]);
    if (fetched.code !== 0) return fetched;

    const newShallow = join(temp, "shallow");
    if (existsSync(newShallow)) {
      writeFileSync(`${shallow}.keyscan`, readFileSync(newShallow));
      renameSync(`${shallow}.keyscan`, shallow);
    } else rmSync(shallow, { force: true });
    const destinations = rest.map((s) => /^\+?[^:]*:(refs\/.+)$/.exec(s)?.[1]).filter((d): d is string => d !== undefined);
    if (destinations.length > 0) {
      const patterns = destinations.map((d) => d.replace(/\*.*$/, ""));
      const after = (await run(temp, env, ["for-each-ref", "--format=%(objectname) %(refname)", ...patterns])).stdout.toString("utf8");
      const updates = after.split("\n").filter(Boolean).map((l) => {
        const [oid, name] = l.split(" ");
        return `update ${name} ${oid}\n`;
      });
      if (updates.length > 0) {
        const r = await gitRaw(ctx, ["update-ref", "--stdin"], updates.join(""));
        if (r.code !== 0) return r;
      }
    }
    return fetched;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}
