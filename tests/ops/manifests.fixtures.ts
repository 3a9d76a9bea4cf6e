// Reads the deployment files for their checks: the kustomization rendered the way
// `kubectl kustomize` does for what it uses here (resources, namespace), the compose file
// with its YAML merge keys resolved, and the Dockerfile's instructions.
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, parseAllDocuments } from "yaml";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
};

type Kustomization = { namespace?: string; resources: string[] };

/** The objects `deploy/k8s` renders to, each with the kustomization's namespace. */
export function renderKustomization(dir = join(ROOT, "deploy/k8s")): K8sObject[] {
  const k = parse(readFileSync(join(dir, "kustomization.yaml"), "utf8")) as Kustomization;
  return k.resources.flatMap((file) => {
    const path = join(dir, file);
    if (!existsSync(path)) throw new Error(`kustomization names a missing resource: ${file}`);
    return parseAllDocuments(readFileSync(path, "utf8")).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
      const o = doc.toJS() as K8sObject;
      return o.kind === "Namespace" || !k.namespace ? o : { ...o, metadata: { ...o.metadata, namespace: k.namespace } };
    });
  });
}

export function readCompose(path = join(ROOT, "docker-compose.yml")): { text: string; compose: Compose } {
  const text = readFileSync(path, "utf8");
  return { text, compose: parse(text, { merge: true }) as Compose };
}

export type ComposeService = {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] };
  volumes?: string[];
  ports?: string[];
};
export type Compose = { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };

export function readText(relative: string): string {
  return readFileSync(join(ROOT, relative), "utf8");
}
