// The OpenAPI document: valid OpenAPI 3.1, covering every route the gateway's routers
// know, with every example parsing under the zod schema it is shown for; and it is
// served at /openapi.json.
import { afterAll, describe, expect, it } from "vitest";
import type { Router } from "@koa/router";
import { Validator } from "@seriousme/openapi-schema-validator";
import type { z } from "zod";
import { ChorusEvent } from "@chorus/contracts";
import { isolatedPerFile, testLogger } from "@chorus/testing";
import { createApp } from "../app.ts";
import { docsRoutes } from "../docs/routes.ts";
import { IdempotencyKeyHeader, processRequestBody } from "../processing/schema.ts";
import { RequestIdParam } from "../results/schema.ts";
import { TEST_SECRET_KEY, TEST_SETTINGS, startTestGateway, unreachableDatabase } from "../gateway.fixtures.ts";
import { RESPONSE_COMPONENTS, openApiDocument } from "./document.ts";

type Json = Record<string, unknown>;
type Operation = { parameters?: Json[]; requestBody?: { content: Record<string, Json> }; responses: Record<string, Json> };

const document = openApiDocument({ maxTextLength: TEST_SETTINGS.maxTextLength }) as {
  paths: Record<string, Record<string, Operation>>;
  components: { responses: Record<string, { content: Record<string, Json> }>; parameters: Record<string, Json> };
};

const SCHEMAS: Record<string, z.ZodType> = { ...RESPONSE_COMPONENTS, ProcessRequest: processRequestBody(TEST_SETTINGS.maxTextLength) };
const PARAMETER_SCHEMAS: Record<string, z.ZodType> = { request_id: RequestIdParam, "Idempotency-Key": IdempotencyKeyHeader };

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

/** Each `{ schema: {$ref}, example }` media type in the document, with where it is. */
function mediaExamples(): { where: string; component: string; example: unknown }[] {
  const found: { where: string; component: string; example: unknown }[] = [];
  const visit = (where: string, content: Record<string, Json> | undefined) => {
    for (const [type, media] of Object.entries(content ?? {})) {
      const ref = (media.schema as { $ref?: string } | undefined)?.$ref;
      if (media.example !== undefined && ref) found.push({ where: `${where} ${type}`, component: ref.split("/").at(-1)!, example: media.example });
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

  it("documents every route the gateway's routers register, apart from the documentation pages", () => {
    const app = createApp({
      logger: testLogger,
      topology: env.nats.topology,
      nc: env.nats.nc,
      js: env.nats.js,
      jsm: env.nats.jsm,
      database,
      webhookSecretKey: TEST_SECRET_KEY,
      settings: TEST_SETTINGS,
    });
    const routers = app.middleware.flatMap((m) => {
      const router = (m as unknown as { router?: Router }).router;
      return router ? [router] : [];
    });
    const pages = new Set(registeredRoutes([docsRoutes() as unknown as Router]));
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
    for (const p of parameters) expect(PARAMETER_SCHEMAS[p.name]?.safeParse(p.example).success, `parameter ${p.name}`).toBe(true);
    const sse = document.paths["/api/v1/results/{request_id}/events"]!.get!.responses["200"]!.content as Record<string, { example: string }>;
    const data = /^data: (.*)$/m.exec(sse["text/event-stream"]!.example)?.[1];
    expect(ChorusEvent.safeParse(JSON.parse(data ?? "null")).success).toBe(true);
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
