// The local key files and the admin calls behind them, against a stand-in gateway that
// answers as the real one does (the real one is exercised by `npm start` itself).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureAdminKeyFile, ensureDevKey, readAdminKeyFile } from "./dev-key.ts";
import { localKeyPaths } from "./local-keys.ts";

const ADMIN = `chorus_sk_${"a".repeat(43)}`;
const OLD = `chorus_sk_${"o".repeat(43)}`;
const NEW = `chorus_sk_${"n".repeat(43)}`;

/** What the stand-in gateway accepts and what it was asked. */
const gateway = {
  accepted: new Set<string>(),
  checkStatus: null as number | null,
  created: [] as unknown[],
  createStatus: 201,
  /** The tenant of each accepted key, as the admin list shows it. */
  tenants: new Map<string, string>(),
};
let server: Server;
let gatewayUrl = "";
let dir = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    const key = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      if (req.method === "GET" && req.url === "/api/v1/results?page_size=1") {
        res.statusCode = gateway.checkStatus ?? (gateway.accepted.has(key) ? 200 : 401);
        res.end(JSON.stringify({ items: [] }));
      } else if (req.method === "GET" && req.url === "/api/v1/admin/keys") {
        res.statusCode = key === ADMIN ? 200 : 401;
        const keys = [...gateway.accepted].map((k) => ({ key_prefix: k.slice(0, 16), tenant: gateway.tenants.get(k) ?? "acme", revoked_at: null }));
        res.end(JSON.stringify({ keys }));
      } else if (req.method === "POST" && req.url === "/api/v1/admin/keys") {
        res.statusCode = key === ADMIN ? gateway.createStatus : 401;
        if (res.statusCode === 201) gateway.created.push(JSON.parse(body));
        res.end(JSON.stringify(res.statusCode === 201 ? { id: "key_1", key: NEW } : { error: "Unauthorized", message: "no" }));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  gatewayUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "chorus-keys-"));
  gateway.accepted = new Set([OLD, NEW]);
  gateway.checkStatus = null;
  gateway.created = [];
  gateway.createStatus = 201;
  gateway.tenants = new Map();
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe("ensureAdminKeyFile", () => {
  it("makes a key readable by its owner only on first start, and keeps it after", () => {
    const { admin, dir: keysDir } = localKeyPaths(dir);
    const first = ensureAdminKeyFile(admin);
    expect(first.created).toBe(true);
    expect(first.key).toMatch(/^chorus_sk_[A-Za-z0-9_-]{43}$/);
    expect(modeOf(admin)).toBe(0o600);
    expect(modeOf(keysDir)).toBe(0o700);
    expect(ensureAdminKeyFile(admin)).toEqual({ key: first.key, created: false });
  });

  it("reads a person's own file and refuses a missing or short one", () => {
    const file = join(dir, "admin");
    expect(readAdminKeyFile(file)).toHaveProperty("error");
    writeFileSync(file, "too short\n");
    expect(readAdminKeyFile(file)).toHaveProperty("error");
    writeFileSync(file, `${ADMIN}\n`);
    expect(readAdminKeyFile(file)).toEqual({ key: ADMIN });
  });
});

describe("ensureDevKey", () => {
  const options = () => ({ gatewayUrl, adminKey: ADMIN, file: localKeyPaths(dir).dev, tenant: "acme" });

  it("makes a key through the admin API on first start and saves it for its owner only", async () => {
    const dev = await ensureDevKey(options());
    expect(dev).toEqual({ key: NEW, created: true });
    expect(gateway.created).toEqual([{ tenant: "acme", name: "local development", scopes: ["requests:write", "requests:read", "webhooks:write"] }]);
    expect(readFileSync(options().file, "utf8")).toBe(`${NEW}\n`);
    expect(modeOf(options().file)).toBe(0o600);
  });

  it("reuses the saved key while the gateway accepts it", async () => {
    mkdirSync(localKeyPaths(dir).dir, { recursive: true });
    writeFileSync(options().file, `${OLD}\n`);
    expect(await ensureDevKey(options())).toEqual({ key: OLD, created: false });
    expect(gateway.created).toEqual([]);
  });

  it("replaces a saved key the gateway no longer knows", async () => {
    mkdirSync(localKeyPaths(dir).dir, { recursive: true });
    writeFileSync(options().file, `${OLD}\n`);
    gateway.accepted.delete(OLD);
    const dev = await ensureDevKey(options());
    expect(dev).toMatchObject({ key: NEW, created: true, note: expect.stringMatching(/refused the saved key \(401/) });
    expect(readFileSync(options().file, "utf8")).toBe(`${NEW}\n`);
  });

  it("replaces a saved key of another tenant than CHORUS_TENANT_ID now names", async () => {
    mkdirSync(localKeyPaths(dir).dir, { recursive: true });
    writeFileSync(options().file, `${OLD}\n`);
    gateway.tenants.set(OLD, "default");
    const dev = await ensureDevKey(options());
    expect(dev).toMatchObject({ key: NEW, created: true, note: expect.stringMatching(/for tenant "default", not "acme"/) });
    expect(gateway.created).toHaveLength(1);
  });

  it("keeps a saved key it could not check rather than making one more", async () => {
    mkdirSync(localKeyPaths(dir).dir, { recursive: true });
    writeFileSync(options().file, `${OLD}\n`);
    gateway.checkStatus = 503;
    expect(await ensureDevKey(options())).toMatchObject({ key: OLD, created: false, note: expect.stringMatching(/answered 503/) });
    expect(gateway.created).toEqual([]);
  });

  it("fails with the gateway's answer when the admin key is refused, saving nothing", async () => {
    await expect(ensureDevKey({ ...options(), adminKey: `chorus_sk_${"x".repeat(43)}` })).rejects.toThrow(/answered 401/);
    expect(() => statSync(options().file)).toThrow();
  });
});
