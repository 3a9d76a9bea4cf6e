// Reads the deployment files for their checks: the kustomization rendered the way
// `kubectl kustomize` does for what it uses here (resources, namespace, images), the compose file
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

type ImageOverride = { name: string; newName?: string; newTag?: string; digest?: string };
type Kustomization = { namespace?: string; resources: string[]; images?: ImageOverride[] };
type PodSpec = { containers?: { image?: string }[]; initContainers?: { image?: string }[] };

/** The objects `deploy/k8s` renders to, each with the kustomization's namespace and images. */
export function renderKustomization(dir = join(ROOT, "deploy/k8s")): K8sObject[] {
  const k = parse(readFileSync(join(dir, "kustomization.yaml"), "utf8")) as Kustomization;
  return k.resources.flatMap((file) => {
    const path = join(dir, file);
    if (!existsSync(path)) throw new Error(`kustomization names a missing resource: ${file}`);
    return parseAllDocuments(readFileSync(path, "utf8")).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
      const o = withImages(doc.toJS() as K8sObject, k.images ?? []);
      return o.kind === "Namespace" || !k.namespace ? o : { ...o, metadata: { ...o.metadata, namespace: k.namespace } };
    });
  });
}

/** An image reference split as kustomize reads it: name, then `:tag`, then `@digest`. */
export function parseImage(image: string): { name: string; tag?: string; digest?: string } {
  const [ref = image, digest] = image.split("@");
  // A colon after the last slash starts the tag; one before it is a registry's port.
  const colon = ref.lastIndexOf(":");
  const tagged = colon > ref.lastIndexOf("/");
  return { name: tagged ? ref.slice(0, colon) : ref, ...(tagged && { tag: ref.slice(colon + 1) }), ...(digest && { digest }) };
}

/** The kustomization's `images:` applied to a workload's containers, matched by image name. */
function withImages(o: K8sObject, overrides: readonly ImageOverride[]): K8sObject {
  const pod = (o.spec as { template?: { spec?: PodSpec } } | undefined)?.template?.spec;
  for (const container of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
    if (container.image === undefined) continue;
    const image = parseImage(container.image);
    const override = overrides.find((x) => x.name === image.name);
    if (!override) continue;
    const tag = override.newTag ?? image.tag;
    const digest = override.digest ?? image.digest;
    container.image = `${override.newName ?? image.name}${tag ? `:${tag}` : ""}${digest ? `@${digest}` : ""}`;
  }
  return o;
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
