// The OpenAPI document: valid OpenAPI 3.1, covering every route the gateway's routers
// know, with every example parsing under the zod schema it is shown for; each operation's
// documented scope is the one the gateway asks for; and it is served at /openapi.json.
import { afterAll, describe, expect, it } from "vitest";
import type { Router } from "@koa/router";
import { Validator } from "@seriousme/openapi-schema-validator";
import type { z } from "zod";
import { API_SCOPES, ChorusEvent, type ApiScope } from "@chorus/contracts";
import { bearer, isolatedPerFile } from "@chorus/testing";
import { KeyIdParam } from "../admin/schema.ts";
import { createApp } from "../app.ts";
import { hashApiKey } from "../auth/api-key.ts";
import type { GatewaySettings } from "../deps.ts";
import { docsRoutes } from "../docs/routes.ts";
import { consoleRoutes } from "../console/index.ts";
import { IdempotencyKeyHeader, processRequestBody } from "../processing/schema.ts";
import { RequestIdParam } from "../results/schema.ts";
import { TEST_SETTINGS, startTestGateway, testAccess, testGatewayDeps, unreachableDatabase } from "../gateway.fixtures.ts";
import { publicEvent } from "../views/public-event.ts";
import { ApiKeyList, CreatedApiKey } from "./admin-key-schemas.ts";
import { REQUEST_COMPONENTS, RESPONSE_COMPONENTS, openApiDocument } from "./document.ts";
import { PUBLIC_ACCEPTED_EVENT_EXAMPLE, REQUEST_ID } from "./examples.ts";
import { PublicEvent } from "./public-event-schema.ts";

type Json = Record<string, unknown>;
type Operation = { parameters?: Json[]; requestBody?: { content: Record<string, Json> }; responses: Record<string, Json>; security?: Record<string, string[]>[]; description?: string };

const document = openApiDocument({ maxTextLength: TEST_SETTINGS.maxTextLength }) as {
  paths: Record<string, Record<string, Operation>>;
  components: { responses: Record<string, { content: Record<string, Json> }>; parameters: Record<string, Json> };
};

const SCHEMAS: Record<string, z.ZodType> = { ...RESPONSE_COMPONENTS, ...REQUEST_COMPONENTS, ProcessRequest: processRequestBody(TEST_SETTINGS.maxTextLength) };
const PARAMETER_SCHEMAS: Record<string, z.ZodType> = { request_id: RequestIdParam, "Idempotency-Key": IdempotencyKeyHeader, key_id: KeyIdParam };

const env = isolatedPerFile({ nats: true });
const database = unreachableDatabase();
afterAll(() => database.close());

/** Every method and path the app's routers register, in OpenAPI's `{param}` form. */
function registeredRoutes(routers: Router[]): string[] {
  return routers.flatMap((router) =>
    router.stack.flatMap((layer) =>
      layer.methods.filter((m) => m !== "HEAD").map((m) => `${m.toLowerCase()} ${String(layer.path).replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`),
    ),
  );
}

/** Whether a call without a key is documented as allowed (no requirement, or an empty alternative). */
const isPublic = (op: Operation) => (op.security ?? [{ bearerAuth: [] }]).length === 0 || (op.security ?? []).some((r) => Object.keys(r).length === 0);
/** The scope a guarded operation documents as its security requirement's role. */
const scopeOf = (op: Operation) => (op.security ?? [])[0]?.bearerAuth?.[0];

/** Each `{ schema: {$ref}, example }` media type in the document, with where it is. */
function mediaExamples(): { where: string; component: string; example: unknown }[] {
  const found: { where: string; component: string; example: unknown }[] = [];
  const visit = (where: string, content: Record<string, Json> | undefined) => {
    for (const [type, media] of Object.entries(content ?? {})) {
      const ref = (media.schema as { $ref?: string } | undefined)?.$ref;
      if (!ref) continue;
      const component = ref.split("/").at(-1)!;
      if (media.example !== undefined) found.push({ where: `${where} ${type}`, component, example: media.example });
      for (const [name, { value }] of Object.entries((media.examples ?? {}) as Record<string, { value: unknown }>)) found.push({ where: `${where} ${type} ${name}`, component, example: value });
    }
  };
  for (const [path, ops] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      visit(`${method} ${path} request`, op.requestBody?.content);
      for (const [code, response] of Object.entries(op.responses)) visit(`${method} ${path} ${code}`, response.content as Record<string, Json> | undefined);
    }
  }
  for (const [name, response] of Object.entries(document.components.responses)) visit(`response ${name}`, response.content);
  return found;
}

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(document as unknown as Json);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("documents every route the gateway's routers register, apart from the documentation pages and the web console", async () => {
    const access = await testAccess(env.nats);
    env.defer(() => access.stop());
    const app = createApp(testGatewayDeps({ nats: env.nats, database, access }));
    const routers = app.middleware.flatMap((m) => {
      const router = (m as unknown as { router?: Router }).router;
      return router ? [router] : [];
    });
    const pages = new Set(registeredRoutes([docsRoutes() as unknown as Router, consoleRoutes() as unknown as Router]));
    const routes = [...new Set(registeredRoutes(routers))].filter((r) => !pages.has(r));
    expect(routes.length).toBeGreaterThanOrEqual(9);
    const documented = new Set(Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)));
    expect(routes.filter((r) => !documented.has(r))).toEqual([]);
    expect(routes).toContain("get /api/v1/results/{request_id}/events");
    expect(routes).toContain("get /openapi.json");
  });

  it("has examples, and each parses under the schema it is shown for", () => {
    const examples = mediaExamples();
    expect(examples.length).toBeGreaterThanOrEqual(10);
    for (const { where, component, example } of examples) {
      const schema = SCHEMAS[component];
      expect(Object.keys(SCHEMAS), `${where}: no schema for ${component}`).toContain(component);
      const parsed = schema!.safeParse(example);
      expect(parsed.success, `${where}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
    const parameters = [
      ...Object.values(document.components.parameters),
      ...Object.values(document.paths).flatMap((ops) => Object.values(ops).flatMap((op) => op.parameters ?? [])),
    ].filter((p): p is Json & { name: string; example: unknown } => "example" in p && "name" in p);
    expect(parameters.length).toBeGreaterThanOrEqual(2);
    // "Try it out" fills examples in: a header that changes what a request does must start empty
    // (a pre-filled Idempotency-Key would replay the first caller's result to everyone after).
    const headers = Object.values(document.paths).flatMap((ops) => Object.values(ops).flatMap((op) => op.parameters ?? [])).filter((p) => (p as { in?: string }).in === "header");
    expect(headers.filter((p) => "example" in p || "examples" in p)).toEqual([]);
    for (const p of parameters) expect(PARAMETER_SCHEMAS[p.name]?.safeParse(p.example).success, `parameter ${p.name}`).toBe(true);
    const sse = document.paths["/api/v1/results/{request_id}/events"]!.get!.responses["200"]!.content as Record<string, { example: string }>;
    const frames = [...sse["text/event-stream"]!.example.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!) as unknown);
    expect(frames.length).toBeGreaterThan(0);
    for (const data of frames) expect(PublicEvent.safeParse(data).error?.issues).toBeUndefined();
  });

  it("shows SSE data as the public view: what the view makes of a recorded event, and nothing it withholds", () => {
    const recorded = ChorusEvent.parse({
      ...PUBLIC_ACCEPTED_EVENT_EXAMPLE,
      data: {
        ...PUBLIC_ACCEPTED_EVENT_EXAMPLE.data,
        webhook: { url: "https://example.com/hooks/chorus", secret: "v1.aaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbb.cccccccc" },
        idempotency_key: "order-4711",
        fingerprint: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
      },
    });
    expect(publicEvent(recorded)).toEqual(PUBLIC_ACCEPTED_EVENT_EXAMPLE);
    const schemas = document.components as unknown as { schemas: Record<string, { oneOf?: { properties: { type: { const: string }; data: { properties: Json } } }[] }> };
    const accepted = schemas.schemas.PublicEvent!.oneOf!.find((v) => v.properties.type.const === "RequestAccepted")!;
    expect(Object.keys(accepted.properties.data.properties)).not.toContain("fingerprint");
    expect(Object.keys(accepted.properties.data.properties)).not.toContain("idempotency_key");
    const webhook = accepted.properties.data.properties.webhook as { anyOf: { properties?: Json }[] };
    expect(webhook.anyOf.map((s) => Object.keys(s.properties ?? {}))).toEqual([["url"], []]);
    // Parsing strips what the schema does not name: it keeps of a recorded event exactly what the view keeps.
    expect(PublicEvent.parse(recorded)).toEqual(publicEvent(recorded));
  });

  it("names one scope on each guarded operation (none where any key will do), in its description too, with the 401, 403 and 429 answers and RateLimit headers", () => {
    const operations = Object.entries(document.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ where: `${method} ${path}`, op })));
    const guarded = operations.filter(({ op }) => !isPublic(op));
    expect(guarded.length).toBeGreaterThanOrEqual(10);
    const anyKey = guarded.filter(({ op }) => scopeOf(op) === undefined).map(({ where }) => where);
    expect(anyKey).toEqual(["get /api/v1/auth/key"]);
    for (const { where, op } of guarded) {
      const scope = scopeOf(op);
      expect(op.security, where).toHaveLength(1);
      if (scope === undefined) {
        expect(op.description, where).toContain("any scope");
        expect(op.responses["403"], where).toBeUndefined();
      } else {
        expect(API_SCOPES, where).toContain(scope);
        expect(op.description, where).toContain(`\`${scope}\``);
        expect(op.responses["403"], where).toBeDefined();
      }
      for (const code of ["401", "429"]) expect(op.responses[code], `${where} ${code}`).toBeDefined();
      for (const [code, response] of Object.entries(op.responses)) {
        if (code.startsWith("2")) expect(Object.keys((response.headers ?? {}) as Json), `${where} ${code}`).toEqual(expect.arrayContaining(["RateLimit", "RateLimit-Policy"]));
      }
    }
  });

  it("asks for the scopes the gateway asks for: no key is 401, a key without the scope 403, with it neither; public operations ask for none", async () => {
    const adminKey = "test-admin-key-openapi-0123456789abcdef";
    const settings: Partial<GatewaySettings> = { auth: { mode: "required", adminKeyHash: hashApiKey(adminKey), rateLimitPerMinute: 600, maxStreamsPerKey: 20 } };
    const gateway = await startTestGateway({ nats: env.nats, database, settings });
    try {
      const call = (method: string, path: string, key?: string) =>
        fetch(`${gateway.url}${path.replace("{request_id}", REQUEST_ID).replace("{key_id}", "key_0000000000000000")}`, {
          method: method.toUpperCase(),
          headers: key ? bearer(key) : {},
          signal: AbortSignal.timeout(10_000),
        }).then(async (res) => {
          await res.body?.cancel();
          return res;
        });
      // Each key lacks one scope: it must be refused exactly where the document names that scope.
      const keys = new Map<ApiScope, string>();
      for (const missing of API_SCOPES) {
        const res = await fetch(`${gateway.url}/api/v1/admin/keys`, {
          method: "POST",
          headers: { "content-type": "application/json", ...bearer(adminKey) },
          body: JSON.stringify({ tenant: "acme", name: `all but ${missing}`, scopes: API_SCOPES.filter((s) => s !== missing) }),
        });
        expect(res.status).toBe(201);
        keys.set(missing, CreatedApiKey.parse(await res.json()).key);
      }
      const listed = await fetch(`${gateway.url}/api/v1/admin/keys`, { headers: bearer(adminKey) });
      expect(ApiKeyList.parse(await listed.json()).keys.length).toBeGreaterThanOrEqual(API_SCOPES.length);

      for (const [path, ops] of Object.entries(document.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          const where = `${method} ${path}`;
          const anonymous = await call(method, path);
          const scope = scopeOf(op);
          if (isPublic(op)) {
            expect(anonymous.headers.get("www-authenticate"), where).toBeNull();
            continue;
          }
          expect(anonymous.status, where).toBe(401);
          expect(anonymous.headers.get("www-authenticate"), where).toMatch(/^Bearer /);
          for (const [missing, key] of keys) {
            const res = await call(method, path, key);
            if (missing === scope) expect(res.status, `${where} without ${missing}`).toBe(403);
            else {
              expect([401, 403], `${where} without ${missing}`).not.toContain(res.status);
              expect(res.headers.get("ratelimit-policy"), where).toMatch(/q=600/);
            }
          }
        }
      }
    } finally {
      await gateway.stop();
    }
  });

  it("is served at /openapi.json, and the documentation pages and their assets come from the gateway itself", async () => {
    const gateway = await startTestGateway({ nats: env.nats, database });
    try {
      const res = await fetch(`${gateway.url}/openapi.json`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(JSON.parse(JSON.stringify(document)));
      for (const page of ["/docs", "/redoc"]) {
        const html = await (await fetch(`${gateway.url}${page}`)).text();
        const scripts = [...html.matchAll(/src="([^"]+)"/g)].map((m) => m[1]!);
        expect(scripts.length).toBeGreaterThan(0);
        for (const src of scripts) {
          expect(src.startsWith("http")).toBe(false);
          const asset = await fetch(`${gateway.url}/${src}`);
          expect(asset.status, src).toBe(200);
          expect(asset.headers.get("content-type")).toMatch(/javascript/);
        }
      }
      const missing = await fetch(`${gateway.url}/docs/assets/..%2Fpackage.json`);
      expect(missing.status).toBe(404);
    } finally {
      await gateway.stop();
    }
  });
});
