/**
 * The safety contract of live verification, enforced here for every rule rather than trusted to each rule file:
 * HTTPS only, to a host the provider file declares; GET or HEAD, or a POST the rule marks
 * `read_only`; redirects only to declared hosts (http.ts calls `checkUrl` on every hop); never to a loopback,
 * private, link-local, CGNAT, multicast, reserved or cloud-metadata address — every address a host resolves to is
 * checked, and the connection goes to the checked address (`pinnedLookup`), so DNS rebinding between check and
 * connect is impossible; and rules from the scanned repository's own config do not verify unless the user allows it
 * (a malicious repo must not send the keys it contains to its own server). A test override for one provider lifts
 * the HTTPS, host and address checks for that provider only and is announced loudly by the CLI.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP } from "node:net";
import type { Rule } from "../engine/rule.js";
import { KeyscanError } from "../errors.js";

const blocked = new BlockList();
const V4: [string, number, string][] = [
  ["0.0.0.0", 8, "a 'this network' address"],
  ["10.0.0.0", 8, "a private address"],
  ["100.64.0.0", 10, "a carrier-grade NAT address"],
  ["127.0.0.0", 8, "a loopback address"],
  ["169.254.0.0", 16, "a link-local or cloud-metadata address"],
  ["172.16.0.0", 12, "a private address"],
  ["192.0.0.0", 24, "an IETF protocol address"],
  ["192.0.2.0", 24, "a documentation address"],
  ["192.88.99.0", 24, "a 6to4 relay address"],
  ["192.168.0.0", 16, "a private address"],
  ["198.18.0.0", 15, "a benchmarking address"],
  ["198.51.100.0", 24, "a documentation address"],
  ["203.0.113.0", 24, "a documentation address"],
  ["224.0.0.0", 4, "a multicast address"],
  ["240.0.0.0", 4, "a reserved address"],
];
const V6: [string, number, string][] = [
  ["::", 128, "the unspecified address"],
  ["::1", 128, "a loopback address"],
  ["100::", 64, "a discard address"],
  ["2001:db8::", 32, "a documentation address"],
  ["fc00::", 7, "a unique-local (private) address"],
  ["fe80::", 10, "a link-local address"],
  ["fec0::", 10, "a site-local address"],
  ["ff00::", 8, "a multicast address"],
];
for (const [a, p] of V4) blocked.addSubnet(a, p, "ipv4");
for (const [a, p] of V6) blocked.addSubnet(a, p, "ipv6");

function describeV4(ip: string): string | undefined {
  if (!blocked.check(ip, "ipv4")) return undefined;
  for (const [a, p, why] of V4) {
    const one = new BlockList();
    one.addSubnet(a, p, "ipv4");
    if (one.check(ip, "ipv4")) return why;
  }
  return "a non-public address";
}

function hextets(ip: string): number[] | undefined {
  let s = ip.toLowerCase();
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  // A trailing dotted quad (::ffff:1.2.3.4) becomes two hextets.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (quad) {
    const b = quad[1]!.split(".").map(Number);
    s = s.slice(0, quad.index) + `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = s.split("::");
  const h = head ? head.split(":") : [];
  const t = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const fill = s.includes("::") ? 8 - h.length - t.length : 0;
  const all = [...h, ...Array<string>(fill).fill("0"), ...t].map((x) => parseInt(x, 16));
  return all.length === 8 && all.every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffff) ? all : undefined;
}

function v4FromWords(hi: number, lo: number): string {
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Why an IP address must not be contacted (a phrase such as "a loopback address"), or undefined if it is public. */
export function blockedAddressReason(ip: string): string | undefined {
  const family = isIP(ip);
  if (family === 4) return describeV4(ip);
  if (family !== 6) return "not an IP address";
  const w = hextets(ip);
  if (!w) return "an unparseable IPv6 address";
  const zeros = (n: number) => w.slice(0, n).every((x) => x === 0);
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:AABB:CCDD::)
  // embed an IPv4 address that the network may route to; judge the embedded address.
  if (zeros(5) && w[5] === 0xffff) return describeV4(v4FromWords(w[6]!, w[7]!));
  if (zeros(6) && (w[6]! !== 0 || w[7]! > 1)) return describeV4(v4FromWords(w[6]!, w[7]!));
  if (w[0] === 0x64 && w[1] === 0xff9b && w.slice(2, 6).every((x) => x === 0)) return describeV4(v4FromWords(w[6]!, w[7]!));
  if (w[0] === 0x2002) return describeV4(v4FromWords(w[1]!, w[2]!));
  if (blocked.check(ip.split("%")[0]!, "ipv6")) {
    for (const [a, p, why] of V6) {
      const one = new BlockList();
      one.addSubnet(a, p, "ipv6");
      if (one.check(ip.split("%")[0]!, "ipv6")) return why;
    }
    return "a non-public address";
  }
  return undefined;
}

/** True when `hostname` is one of `hosts` (exact, case-insensitive) or matches a `*.example.com` entry. */
export function hostDeclared(hostname: string, hosts: readonly string[]): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, "");
  return hosts.some((d) => {
    const decl = d.toLowerCase().replace(/\.$/, "");
    if (decl.startsWith("*.")) return h.endsWith(decl.slice(1)) && h.length > decl.length - 1;
    return h === decl;
  });
}

/** What a URL (first request or redirect target) is checked against. */
export interface UrlPolicy {
  /** The provider's declared hosts. */
  hosts: readonly string[];
  /** Test override origin: when set, only this origin is allowed and the HTTPS/host checks are lifted. */
  overrideOrigin?: string;
}

/** Why a URL may not be requested, or undefined when it may. */
export function checkUrl(url: URL, policy: UrlPolicy): string | undefined {
  if (url.username || url.password) return `${url.protocol}//…@${url.host}: URLs with credentials are refused`;
  if (policy.overrideOrigin !== undefined) {
    return url.origin === policy.overrideOrigin ? undefined : `${url.origin} is not the override origin ${policy.overrideOrigin}`;
  }
  if (url.protocol !== "https:") return `${url.protocol}//${url.host} is not HTTPS; only HTTPS is allowed`;
  if (!hostDeclared(url.hostname.replace(/^\[|\]$/g, ""), policy.hosts)) {
    return `host ${url.hostname} is not one the provider declares (${policy.hosts.length ? policy.hosts.join(", ") : "none declared"})`;
  }
  return undefined;
}

/** Why this rule may not verify at all (method, origin of the rule), or undefined when it may. */
export function checkRuleMayVerify(rule: Rule, options: { allowRepoRules?: boolean }): string | undefined {
  const v = rule.verify;
  if (!v) return "the rule has no verify block";
  if (rule.provider.fromRepoConfig && !options.allowRepoRules) {
    return `the rule comes from the scanned repository's own config (${rule.provider.file}); pass --allow-repo-rules-verify to let it verify`;
  }
  const m = v.request.method;
  if (m !== "GET" && m !== "HEAD" && !(m === "POST" && v.request.read_only === true)) {
    return `method ${m} is refused; only GET and HEAD, or a POST marked \`read_only: true\`, may verify`;
  }
  return undefined;
}

/** Rewrite a provider URL onto a test override base (keeps path and query; a base path is prefixed). */
export function applyOverride(url: URL, base: string): URL {
  const b = new URL(base);
  const prefix = b.pathname.replace(/\/$/, "");
  return new URL(`${b.origin}${prefix}${url.pathname}${url.search}`);
}

/** Check a literal IP address in a URL before connecting (lookups are skipped for IP literals). */
export function checkLiteralHost(hostname: string): string | undefined {
  const h = hostname.replace(/^\[|\]$/g, "");
  if (isIP(h) === 0) return undefined;
  const why = blockedAddressReason(h);
  return why ? `${h} is ${why}; refused` : undefined;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http(s).request: resolves every address of the host, refuses the host if any of them is blocked,
 * and hands the socket exactly the addresses it checked — the connection cannot go anywhere the check did not see.
 */
export function pinnedLookup(hostname: string, options: { all?: boolean; family?: number } | number, callback: LookupCallback): void {
  const family = typeof options === "number" ? options : (options.family ?? 0);
  dnsLookup(hostname, { all: true, family, verbatim: true }, (err, addresses) => {
    if (err) return callback(err, []);
    if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), []);
    for (const a of addresses) {
      const why = blockedAddressReason(a.address);
      if (why) {
        const e = new KeyscanError("E_VERIFY", `${hostname} resolves to ${a.address}, ${why}; refused`, { fatal: false });
        return callback(Object.assign(e, { blockedAddress: true }) as unknown as NodeJS.ErrnoException, []);
      }
    }
    if (typeof options === "object" && options.all) return callback(null, addresses);
    return callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}
