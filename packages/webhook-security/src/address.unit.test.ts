import { describe, expect, it } from "vitest";
import { webhookAddressVerdict } from "./address.ts";
import { checkWebhookTarget } from "./resolve.ts";

describe("webhookAddressVerdict", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["10.1.2.3", "private"],
    ["172.20.0.1", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "link-local or cloud metadata"],
    ["100.100.100.200", "shared (CGNAT)"],
    ["0.0.0.0", "unspecified"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["64:ff9b::a9fe:a9fe", "link-local or cloud metadata"],
    ["fd00:ec2::254", "unique local (private)"],
    ["fe80::1%eth0", "link-local"],
    ["ff02::1", "multicast"],
    ["192.0.2.10", "documentation"],
    ["198.51.100.7", "documentation"],
    ["203.0.113.200", "documentation"],
    ["2001:db8::1", "documentation"],
    ["3fff:abc::1", "documentation"],
    // IPv4-translated (RFC 2765), whatever IPv4 address it carries.
    ["::ffff:0:127.0.0.1", "IPv4-translated (SIIT)"],
    ["::ffff:0:8.8.8.8", "IPv4-translated (SIIT)"],
    ["::ffff:0:a00:1", "IPv4-translated (SIIT)"],
    ["64:ff9b::127.0.0.1", "loopback"],
    ["64:ff9b::10.0.0.1", "private"],
    ["64:ff9b:1::8.8.8.8", "local-use NAT64"],
    ["64:ff9b:1:ffff::1", "local-use NAT64"],
    ["2002:7f00:1::1", "6to4 tunnel (deprecated)"],
    ["2002:808:808::1", "6to4 tunnel (deprecated)"],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo tunnel"],
    ["2001:1::1", "IETF protocol assignments"],
    ["fec0::1", "site-local (private)"],
    ["feff::1", "site-local (private)"],
    ["100::1", "discard-only"],
    ["::1:2:3:4", "reserved"],
  ])("refuses %s (%s)", (address, reason) => {
    expect(webhookAddressVerdict(address)).toEqual({ allowed: false, reason });
  });

  it.each(["93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::8.8.8.8", "2001:200::1", "2001:db9::1", "2003::1", "3fff:1000::1"])("allows the public address %s", (address) => {
    expect(webhookAddressVerdict(address)).toEqual({ allowed: true });
  });

  it("refuses what is not an IP address", () => {
    expect(webhookAddressVerdict("1.2.3")).toMatchObject({ allowed: false });
    expect(webhookAddressVerdict("1:2:3")).toMatchObject({ allowed: false });
  });
});

describe("checkWebhookTarget", () => {
  it.each([
    ["http://127.0.0.1:8080/hook", "loopback"],
    ["http://10.0.0.5/hook", "private"],
    ["http://169.254.169.254/latest/meta-data/", "cloud metadata"],
    // A hostname that resolves to loopback: the check is on the addresses, not the name.
    ["http://localhost:3000/hook", "loopback"],
    ["http://[::1]:3000/hook", "loopback"],
    ["https://[::ffff:127.0.0.1]/hook", "loopback"],
  ])("refuses %s by default (%s)", async (url, reason) => {
    const check = await checkWebhookTarget(url, { allowPrivate: false });
    expect(check.ok).toBe(false);
    expect(check.ok ? "" : check.reason).toContain(reason);
  });

  it("refuses a scheme other than http(s) even when private addresses are allowed", async () => {
    expect(await checkWebhookTarget("ftp://127.0.0.1/x", { allowPrivate: true })).toEqual({ ok: false, kind: "forbidden", reason: "must be an http or https URL" });
    expect(await checkWebhookTarget("file:///etc/passwd", { allowPrivate: true })).toMatchObject({ ok: false });
  });

  it("tells a host that does not resolve (yet) from a forbidden one", async () => {
    expect(await checkWebhookTarget("https://receiver.invalid/hook", { allowPrivate: false })).toMatchObject({ ok: false, kind: "unresolved" });
    expect(await checkWebhookTarget("http://localhost/hook", { allowPrivate: false })).toMatchObject({ ok: false, kind: "forbidden" });
  });

  it("allows loopback when private addresses are allowed, with the checked addresses", async () => {
    expect(await checkWebhookTarget("http://127.0.0.1:9/hook", { allowPrivate: true })).toEqual({
      ok: true,
      href: "http://127.0.0.1:9/hook",
      addresses: [{ address: "127.0.0.1", family: 4 }],
    });
  });
});
