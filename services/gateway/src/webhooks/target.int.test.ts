import type * as Dns from "node:dns/promises";
import { isIP } from "node:net";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { isolatedPerTest, recordedEventsOf } from "@chorus/testing";
import type { GatewaySettings } from "../deps.ts";
import { acceptedCount, startTestGateway, unreachableDatabase } from "../gateway.fixtures.ts";
import { ErrorBody } from "../http/errors.ts";

// A DNS double for the gateway in this process: names of this file never reach a real
// resolver (no test calls the internet); IP literals are answered as the real lookup does.
const ANSWERS: Record<string, { address: string; family: number }[]> = {
  "hooks.example.com": [{ address: "93.184.216.34", family: 4 }],
  "intranet.example.com": [{ address: "10.20.30.40", family: 4 }],
  "imds.example.com": [{ address: "fd00:ec2::254", family: 6 }],
  localhost: [{ address: "127.0.0.1", family: 4 }],
};

vi.mock("node:dns/promises", async (importOriginal) => {
  const real = await importOriginal<typeof Dns>();
  const lookup = (host: string, options: { all: true; verbatim: boolean }) => {
    const answer = ANSWERS[host];
    if (answer) return Promise.resolve(answer);
    if (isIP(host)) return real.lookup(host, options);
    return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" }));
  };
  return { ...real, lookup, default: { ...real, lookup } };
});

type TestGateway = Awaited<ReturnType<typeof startTestGateway>>;

const TEXT = "Apple reported record earnings in Cupertino on Tuesday.";
const SECRET = "a-webhook-secret-0123456789";
const env = isolatedPerTest({ nats: true });
let gateway: TestGateway;

async function startGateway(settings: Partial<GatewaySettings> = {}) {
  const database = unreachableDatabase();
  env.defer(() => database.close());
  gateway = await startTestGateway({ nats: env.nats, database, settings });
  env.defer(() => gateway.stop());
}

beforeEach(() => startGateway());

/** POSTs a webhook_url (as JSON text, so control characters travel as given) and returns the 422's message for it. */
async function refusal(url: string): Promise<string> {
  const before = await acceptedCount(env.nats);
  const res = await gateway.post(`{"text": ${JSON.stringify(TEXT)}, "webhook_url": ${JSON.stringify(url)}, "webhook_secret": "${SECRET}"}`);
  expect(res.status).toBe(422);
  const body = ErrorBody.strict().parse(await res.json());
  expect(body.error).toBe("ValidationError");
  expect(body.details?.map((d) => d.field)).toEqual(["webhook_url"]);
  expect(await acceptedCount(env.nats)).toBe(before);
  return body.details?.[0]?.message ?? "";
}

async function accepted(url: string): Promise<string | undefined> {
  const res = await gateway.post({ text: TEXT, webhook_url: url, webhook_secret: SECRET });
  expect(res.status).toBe(202);
  const { request_id } = (await res.json()) as { request_id: string };
  const events = await recordedEventsOf(env.nats, request_id);
  const accepted = events.find((e) => e.type === "RequestAccepted");
  return accepted?.type === "RequestAccepted" ? accepted.data.webhook?.url : undefined;
}

describe("SSRF protection at submission: what delivery would refuse is a 422", () => {
  it.each([
    ["intranet.example.com", "10.20.30.40"],
    ["imds.example.com", "fd00:ec2::254"],
  ])("refuses %s, which resolves to an internal address, without revealing the address or its kind", async (host, address) => {
    const message = await refusal(`https://${host}/hook`);
    expect(message).toBe(`host ${host} resolves to an address webhooks may not reach; set WEBHOOK_ALLOW_PRIVATE=true for local testing`);
    for (const leak of [address, "private", "unique local", "loopback", "link-local", "metadata"]) expect(message).not.toContain(leak);
  });

  it.each([
    ["a trailing dot", "https://localhost./hook", "must not end with a dot"],
    ["a trailing dot on a public name", "https://hooks.example.com./hook", "must not end with a dot"],
    ["a name under .internal", "https://billing.internal/hook", "internal (.internal) name"],
    ["a name under .local", "https://printer.local/hook", ".local"],
    ["a cloud metadata name", "http://metadata.google.internal/computeMetadata/v1/", "cloud metadata name"],
    ["a single-label name", "http://instance-data/latest/meta-data/", "single-label name"],
    ["a user and password", "https://user:pass@hooks.example.com/hook", "must not contain a user name or password"],
    ["a newline in the host", "https://hooks.exa\nmple.com/hook", "U+000A"],
    ["a tab in the path", "https://hooks.example.com/ho\tok", "U+0009"],
    ["a trailing space", "https://hooks.example.com/hook ", "U+0020"],
    ["a port other than 80 and 443", "https://hooks.example.com:8443/hook", "port 8443 is not allowed"],
    ["an IPv4-translated loopback address", "http://[::ffff:0:127.0.0.1]/hook", "::ffff:0:7f00:1 (IPv4-translated (SIIT) address)"],
    ["a local-use NAT64 address", "http://[64:ff9b:1::a00:1]/hook", "local-use NAT64"],
    ["a 6to4 address", "http://[2002:a00:1::1]/hook", "6to4"],
    ["a Teredo address", "http://[2001:0:4136:e378::1]/hook", "Teredo"],
    ["a site-local address", "http://[fec0::1]/hook", "site-local"],
  ])("refuses %s", async (_name, url, expected) => {
    expect(await refusal(url)).toContain(expected);
  });

  it("names WEBHOOK_ALLOW_PRIVATE for local testing when refusing a local name or address", async () => {
    for (const url of ["http://localhost/hook", "http://127.0.0.1/hook", "https://intranet.example.com/hook"]) {
      expect(await refusal(url)).toContain("set WEBHOOK_ALLOW_PRIVATE=true for local testing");
    }
  });

  it("accepts an upper-case scheme and host, and records the URL as the URL parser spells it", async () => {
    expect(await accepted("HTTPS://Hooks.Example.COM/In?x=1")).toBe("https://hooks.example.com/In?x=1");
  });

  it("accepts a port the configuration allows", async () => {
    await startGateway({ webhookAllowedPorts: [443, 8443] });
    expect(await accepted("https://hooks.example.com:8443/hook")).toBe("https://hooks.example.com:8443/hook");
    expect(await refusal("http://hooks.example.com/hook")).toContain("port 80 is not allowed for webhooks (allowed: 443, 8443;");
  });

  it("allows local names, internal addresses and any port for local testing, but never userinfo or control characters", async () => {
    await startGateway({ webhookAllowPrivate: true });
    expect(await accepted("http://localhost:3000/hook")).toBe("http://localhost:3000/hook");
    expect(await refusal("http://user@localhost:3000/hook")).toContain("must not contain a user name or password");
    expect(await refusal("http://localhost:3000/ho\rok")).toContain("U+000D");
  });
});
