// The address, host and URL checks of the safety contract, case by case (the end-to-end refusals are in
// malicious.test.ts).
import { describe, expect, it } from "vitest";
import { applyOverride, blockedAddressReason, checkUrl, hostDeclared, pinnedLookup } from "../../src/verify/safety.js";

describe("blockedAddressReason", () => {
  const blocked: [string, RegExp][] = [
    ["127.0.0.1", /loopback/],
    ["127.255.0.9", /loopback/],
    ["10.1.2.3", /private/],
    ["172.16.0.1", /private/],
    ["172.31.255.255", /private/],
    ["192.168.1.1", /private/],
    ["169.254.169.254", /metadata/],
    ["100.64.0.1", /carrier-grade/],
    ["100.100.100.200", /carrier-grade/], // Alibaba Cloud metadata
    ["0.0.0.0", /this network/],
    ["224.0.0.1", /multicast/],
    ["255.255.255.255", /reserved/],
    ["::1", /loopback/],
    ["::", /unspecified/],
    ["::ffff:127.0.0.1", /loopback/],
    ["::ffff:7f00:1", /loopback/],
    ["::ffff:169.254.169.254", /metadata/],
    ["::127.0.0.1", /loopback/],
    ["64:ff9b::a9fe:a9fe", /metadata/],
    ["2002:7f00:1::", /loopback/],
    ["fd00:ec2::254", /unique-local/], // AWS IMDS over IPv6
    ["fc00::1", /unique-local/],
    ["fe80::1%eth0", /link-local/],
    ["ff02::1", /multicast/],
    ["not-an-ip", /not an IP/],
  ];
  it.each(blocked)("%s is refused", (ip, why) => {
    expect(blockedAddressReason(ip)).toMatch(why);
  });
  it.each(["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2a00:1450:4001:80b::200e"])("%s is allowed", (ip) => {
    expect(blockedAddressReason(ip)).toBeUndefined();
  });
});

describe("hostDeclared", () => {
  it("matches exactly or by a *. wildcard, case- and trailing-dot-insensitive", () => {
    expect(hostDeclared("api.getimg.ai", ["api.getimg.ai"])).toBe(true);
    expect(hostDeclared("API.GETIMG.AI.", ["api.getimg.ai"])).toBe(true);
    expect(hostDeclared("evil-api.getimg.ai", ["api.getimg.ai"])).toBe(false);
    expect(hostDeclared("api.getimg.ai.evil.com", ["api.getimg.ai"])).toBe(false);
    expect(hostDeclared("shop1.myshopify.com", ["*.myshopify.com"])).toBe(true);
    expect(hostDeclared("myshopify.com", ["*.myshopify.com"])).toBe(false);
    expect(hostDeclared("evilmyshopify.com", ["*.myshopify.com"])).toBe(false);
  });
});

describe("checkUrl", () => {
  const policy = { hosts: ["api.getimg.ai"] };
  it("allows HTTPS to a declared host", () => {
    expect(checkUrl(new URL("https://api.getimg.ai/v2/billing/balance"), policy)).toBeUndefined();
  });
  it("refuses plain HTTP, undeclared hosts and credentials in the URL", () => {
    expect(checkUrl(new URL("http://api.getimg.ai/v2"), policy)).toMatch(/not HTTPS/);
    expect(checkUrl(new URL("https://collector.example.net/x"), policy)).toMatch(/not one the provider declares \(api\.getimg\.ai\)/);
    expect(checkUrl(new URL("https://user:pw@api.getimg.ai/"), policy)).toMatch(/credentials/);
  });
  it("under a test override allows only the override origin", () => {
    const p = { ...policy, overrideOrigin: "http://127.0.0.1:9999" };
    expect(checkUrl(new URL("http://127.0.0.1:9999/v2/billing/balance"), p)).toBeUndefined();
    expect(checkUrl(new URL("http://127.0.0.1:9998/"), p)).toMatch(/not the override origin/);
    expect(checkUrl(new URL("https://api.getimg.ai/v2"), p)).toMatch(/not the override origin/);
  });
  it("applyOverride keeps path and query and prefixes a base path", () => {
    const u = new URL("https://api.autoenhance.ai/v3/orders/?per_page=1");
    expect(applyOverride(u, "http://127.0.0.1:1234").href).toBe("http://127.0.0.1:1234/v3/orders/?per_page=1");
    expect(applyOverride(u, "http://127.0.0.1:1234/stub/").href).toBe("http://127.0.0.1:1234/stub/v3/orders/?per_page=1");
  });
});

describe("pinnedLookup", () => {
  const lookup = (host: string, all: boolean) =>
    new Promise<{ err: Error | null; address: unknown }>((resolve) => pinnedLookup(host, { all }, (err, address) => resolve({ err, address })));

  it("refuses a name that resolves to loopback, in both callback shapes", async () => {
    for (const all of [true, false]) {
      const { err } = await lookup("localhost", all);
      expect(err?.message).toMatch(/localhost resolves to (127\.0\.0\.1|::1), a loopback address; refused/);
    }
  });
});
