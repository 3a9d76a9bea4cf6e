import { describe, expect, it, vi } from "vitest";
import { checkWebhookTarget } from "./resolve.ts";

// A DNS double: these names never reach a real resolver, and no test calls the internet.
const ANSWERS: Record<string, { address: string; family: number }[]> = {
  "hooks.example.com": [{ address: "93.184.216.34", family: 4 }],
  "intranet.example.com": [{ address: "10.20.30.40", family: 4 }],
  "mixed.example.com": [
    { address: "93.184.216.34", family: 4 },
    { address: "fd12:3456::7", family: 6 },
  ],
  "nat64.example.com": [{ address: "64:ff9b::a9fe:a9fe", family: 6 }],
};
const lookups: string[] = [];

vi.mock("node:dns/promises", () => ({
  lookup: (host: string) => {
    lookups.push(host);
    const answer = ANSWERS[host];
    return answer ? Promise.resolve(answer) : Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" }));
  },
}));

describe("checkWebhookTarget with a resolved name", () => {
  it("accepts a public name, with the addresses to connect to and the normalised URL", async () => {
    expect(await checkWebhookTarget("HTTPS://Hooks.Example.COM/In", { allowPrivate: false })).toEqual({
      ok: true,
      href: "https://hooks.example.com/In",
      addresses: [{ address: "93.184.216.34", family: 4 }],
    });
  });

  it.each(["intranet.example.com", "mixed.example.com", "nat64.example.com"])(
    "refuses %s, which resolves to an internal address, without saying which or of what kind",
    async (host) => {
      const check = await checkWebhookTarget(`https://${host}/hook`, { allowPrivate: false });
      expect(check).toEqual({
        ok: false,
        kind: "forbidden",
        reason: `host ${host} resolves to an address webhooks may not reach; set WEBHOOK_ALLOW_PRIVATE=true for local testing`,
      });
      const reason = check.ok ? "" : check.reason;
      for (const leak of ["10.20.30.40", "fd12", "a9fe", "169.254", "private", "unique local", "link-local", "metadata"]) expect(reason).not.toContain(leak);
    },
  );

  it("lets an internal name through when private addresses are allowed", async () => {
    expect(await checkWebhookTarget("https://intranet.example.com:8443/hook", { allowPrivate: true })).toMatchObject({ ok: true, addresses: [{ address: "10.20.30.40" }] });
  });

  it("allows a port the configuration allows", async () => {
    expect(await checkWebhookTarget("https://hooks.example.com:8443/hook", { allowPrivate: false, allowedPorts: [443, 8443] })).toMatchObject({
      ok: true,
      href: "https://hooks.example.com:8443/hook",
    });
    expect(await checkWebhookTarget("https://hooks.example.com:8443/hook", { allowPrivate: false })).toMatchObject({ ok: false, kind: "forbidden" });
  });

  it("refuses what the URL's text refuses before asking DNS", async () => {
    lookups.length = 0;
    for (const url of ["https://localhost./hook", "https://metadata.google.internal/", "https://u:p@hooks.example.com/", "https://hooks.example.com/\n", "https://hooks.example.com:25/"]) {
      expect(await checkWebhookTarget(url, { allowPrivate: false })).toMatchObject({ ok: false, kind: "forbidden" });
    }
    expect(lookups).toEqual([]);
  });

  it("tells a name that does not resolve from a forbidden one", async () => {
    expect(await checkWebhookTarget("https://new.example.com/hook", { allowPrivate: false })).toEqual({ ok: false, kind: "unresolved", reason: "host new.example.com does not resolve" });
  });
});
