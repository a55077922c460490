// Issue 18: protections that were each held by a single test get direct boundary tests — the entropy threshold
// (just below, at and just above `min_entropy`), the placeholder markers (each marker, and one character short of
// it), added lines only under `--staged` (an edited line counts, an unchanged or merely moved one does not), and DNS
// pinning in verify (a host that resolves to a public address when checked and to a private one later is never
// connected to the private one).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { run } from "../../src/cli/run.js";
import { shannonEntropy } from "../../src/engine/filters/entropy.js";
import { isPlaceholder } from "../../src/engine/filters/placeholder.js";
import { compileRuleSet, parseProviderFile } from "../../src/engine/load-rules.js";
import { scanText } from "../../src/engine/scan-text.js";
import { createAgents, destroyAgents, HttpFailure, send } from "../../src/verify/http.js";
import { newKey, tempRepos } from "../git/repo.js";
import { oneRuleHead } from "../helpers.js";

// DNS for `rebind.test`: a public address on the first lookup, loopback on every later one.
const dnsCalls: string[] = [];
vi.mock("node:dns", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:dns")>();
  const lookup = (host: string, options: unknown, callback: (err: Error | null, addresses: { address: string; family: number }[]) => void) => {
    if (host !== "rebind.test") return (real.lookup as (...a: unknown[]) => void)(host, options, callback);
    dnsCalls.push(host);
    callback(null, [{ address: dnsCalls.length === 1 ? "1.1.1.1" : "127.0.0.1", family: 4 }]);
  };
  return { ...real, lookup, default: { ...real, lookup } };
});

/** A one-rule set: `zorp_` and 24 characters, the 24 being the secret, with the given minimum entropy. */
function zorpRules(minEntropy: number) {
  const text = [
    ...oneRuleHead("zorp", "zorp_(?<secret>[a-z0-9]{24})", [`      min_entropy: ${minEntropy}`]),
    "    examples: ['a']",
    "    negatives: ['b']",
  ].join("\n");
  return compileRuleSet([{ spec: parseProviderFile(text, "zorp.yaml"), file: "zorp.yaml", fromRepoConfig: false }], [], "t");
}

describe("entropy threshold (min_entropy)", () => {
  // Eight characters, three times each: exactly 3 bits per character.
  const secret = "k3m9q2x7".repeat(3);
  const found = (min: number) => scanText(`token = zorp_${secret}\n`, zorpRules(min), { inlineAllow: false }).map((f) => f.secret);

  it("reports a secret at or just above the threshold and drops it just below", () => {
    expect(shannonEntropy(secret)).toBe(3);
    expect(isPlaceholder(secret)).toBe(false);
    expect(found(2.99)).toEqual([secret]);
    expect(found(3)).toEqual([secret]);
    expect(found(3.01)).toEqual([]);
  });
});

describe("placeholder markers", () => {
  // A random-looking value with room for a marker in the middle; without one it is a key.
  const left = "q7Wm2Rk9";
  const right = "Zt4Lp8Vc";
  it("each marker makes a value a placeholder; one character short of it does not", () => {
    expect(isPlaceholder(`${left}${right}`)).toBe(false);
    const markers: [string, string][] = [
      ["xxxx", "xxx"],
      ["****", "***"],
      ["....", "..."],
      ["0000000000", "000000000"],
      ["1234567890", "123456789"],
      ["abcdefghij", "abcdefghi"],
      ["${", "$"],
      ["{{", "{"],
      ["}}", "}"],
      ["<", ""],
      [">", ""],
      ["%s", "%"],
      ["…", ""],
    ];
    for (const [marker, short] of markers) {
      expect(isPlaceholder(`${left}${marker}${right}`), `with ${marker}`).toBe(true);
      expect(isPlaceholder(`${left}${short}${right}`), `with ${short || "(nothing)"}`).toBe(false);
    }
    // Case-insensitive, and EXAMPLE only in upper case (AWS documentation keys).
    expect(isPlaceholder(`${left}XXXX${right}`)).toBe(true);
    expect(isPlaceholder(`${left}EXAMPLE${right}`)).toBe(true);
    // One character repeated: 12 in a row is a placeholder, 11 is not.
    expect(isPlaceholder(`${left}${"a".repeat(12)}${right}`)).toBe(true);
    expect(isPlaceholder(`${left}${"a".repeat(11)}${right}`)).toBe(false);
  });
});

describe("--staged reports added lines only", () => {
  const repo = tempRepos();
  const staged = async (dir: string) => {
    const out = await run(["--staged", "--no-color"], { cwd: dir, env: {} });
    return [...out.stdout.matchAll(/app\.env:(\d+):\d+/g)].map((m) => Number(m[1]));
  };

  it("an unchanged line is not reported, moved or not; an edited line is, though its key did not change", async () => {
    const r = repo();
    const old = newKey();
    r.write("app.env", `GETIMG_API_KEY=${old}\n`);
    r.commitAll("initial");
    // A new key below, the old line unchanged: only the new line.
    r.write("app.env", `GETIMG_API_KEY=${old}\nPORT=1\nGETIMG_API_KEY=${newKey()}\n`);
    r.git("add", "app.env");
    expect(await staged(r.dir)).toEqual([3]);
    // A line inserted above the old key moves it to line 2; it is still not an added line.
    r.write("app.env", `# settings\nGETIMG_API_KEY=${old}\n`);
    r.git("add", "app.env");
    expect(await staged(r.dir)).toEqual([]);
    // The old key's line edited (a comment appended): an added line, so its key is reported.
    r.write("app.env", `GETIMG_API_KEY=${old} # rotate me\n`);
    r.git("add", "app.env");
    expect(await staged(r.dir)).toEqual([1]);
    // Unstaged edits are not what --staged scans.
    r.write("app.env", `GETIMG_API_KEY=${old}\nGETIMG_API_KEY=${newKey()}\n`);
    r.git("add", "app.env");
    r.write("app.env", `GETIMG_API_KEY=${old}\n`);
    expect(await staged(r.dir)).toEqual([2]);
  });
});

describe("DNS pinning in verify", () => {
  let server: Server;
  let port = 0;
  let connections = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('{"ok":true}'));
    server.on("connection", () => connections++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("connects only to the address it checked: public when checked, loopback later is never reached", async () => {
    const agents = createAgents(2);
    const origin = `http://rebind.test:${port}`;
    // The override origin lifts the HTTPS and declared-host checks, not the address checks (allowPrivate: false).
    const opts = { policy: { hosts: [], overrideOrigin: origin }, allowPrivate: false, timeoutMs: 1500, maxRedirects: 0, agents };
    try {
      // First connection: the lookup answers a public address; that is where the socket goes (no second lookup
      // that could answer loopback between the check and the connect). It cannot reach it here, or gets no answer.
      const first = await send({ method: "GET", url: new URL(`${origin}/v1/me`), headers: {} }, opts).then(
        () => "answered",
        (e: unknown) => (e instanceof HttpFailure ? e.kind : "other"),
      );
      expect(first).not.toBe("answered");
      expect(first).not.toBe("refused");
      expect(dnsCalls).toHaveLength(1);
      // A later connection: the host now resolves to loopback, and is refused before any byte is sent.
      const later = await send({ method: "GET", url: new URL(`${origin}/v1/me`), headers: {} }, opts).catch((e: unknown) => e);
      expect(later).toBeInstanceOf(HttpFailure);
      expect((later as HttpFailure).kind).toBe("refused");
      expect((later as HttpFailure).message).toMatch(/rebind\.test resolves to 127\.0\.0\.1, a loopback address; refused/);
      expect(dnsCalls).toHaveLength(2);
      expect(connections).toBe(0);
    } finally {
      destroyAgents(agents);
    }
  });
});
