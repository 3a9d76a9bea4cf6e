// The deployment files agree with the code and with themselves, checked offline: every
// service in the start-up table has a Kubernetes Deployment, Service and disruption budget
// with probes, resources and config on its own port, and a compose service with its
// readiness probe as health check; the Dockerfile installs every workspace.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SERVICES } from "../../scripts/start/services.ts";
import { readCompose, readText, renderKustomization, ROOT, type K8sObject } from "./manifests.fixtures.ts";

type Probe = { httpGet?: { path: string; port: string | number } };
type Container = {
  name: string;
  image: string;
  args?: string[];
  ports?: { name: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: ({ configMapRef?: { name: string } } & { secretRef?: { name: string } })[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
};
type PodTemplate = { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } };

const KNOWN_KINDS = new Set([
  "v1/Namespace",
  "v1/ConfigMap",
  "v1/Service",
  "networking.k8s.io/v1/NetworkPolicy",
  "apps/v1/Deployment",
  "batch/v1/Job",
  "autoscaling/v2/HorizontalPodAutoscaler",
  "policy/v1/PodDisruptionBudget",
]);

const objects = renderKustomization();
const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name) as (K8sObject & { spec: Record<string, unknown> }) | undefined;
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

describe("the Kubernetes manifests", () => {
  it("render to objects of stable API versions, each named, in the chorus namespace", () => {
    expect(objects.length).toBeGreaterThan(10);
    for (const o of objects) {
      expect(KNOWN_KINDS, `${o.apiVersion}/${o.kind}`).toContain(`${o.apiVersion}/${o.kind}`);
      expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      if (o.kind !== "Namespace") expect(o.metadata.namespace).toBe("chorus");
    }
    const keys = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each(SERVICES.map((s) => [s.name, s.port] as const))("run %s on port %i with probes, resources, config and secrets", (name, port) => {
    const deployment = find("Deployment", `chorus-${name}`);
    expect(deployment, `Deployment chorus-${name}`).toBeDefined();
    const template = deployment?.spec.template as PodTemplate;
    const selector = (deployment?.spec.selector as { matchLabels: Record<string, string> }).matchLabels;
    expect(matches(selector, template.metadata.labels)).toBe(true);
    const [container] = template.spec.containers;
    expect(container?.args).toEqual([name]);
    expect(container?.env?.find((e) => e.name === "PORT")?.value).toBe(String(port));
    const http = container?.ports?.find((p) => p.name === "http");
    expect(http?.containerPort).toBe(port);
    // A service with an internal ops port (the gateway: its API is on PORT) is probed there.
    const opsPort = SERVICES.find((s) => s.name === name)?.otherPorts?.OPS_PORT;
    const probed = opsPort === undefined ? "http" : "ops";
    if (opsPort !== undefined) {
      expect(container?.ports?.find((p) => p.name === "ops")?.containerPort).toBe(opsPort);
      expect(container?.env?.find((e) => e.name === "OPS_PORT")?.value).toBe(String(opsPort));
    }
    expect(container?.livenessProbe?.httpGet).toEqual({ path: "/livez", port: probed });
    expect(container?.readinessProbe?.httpGet).toEqual({ path: "/readyz", port: probed });
    for (const part of ["requests", "limits"] as const) {
      expect(Object.keys(container?.resources?.[part] ?? {}).sort(), part).toEqual(["cpu", "memory"]);
    }
    // The shared config as a whole; secrets key by key from the service's own Secret, created
    // out of band (k8s-policy.unit.test.ts checks which keys).
    expect(container?.envFrom).toEqual([{ configMapRef: { name: "chorus-config" } }]);
    expect(find("ConfigMap", "chorus-config")).toBeDefined();
    const secrets = new Set(container?.env?.flatMap((e) => e.valueFrom?.secretKeyRef?.name ?? []));
    expect([...secrets]).toEqual([`chorus-${name}`]);

    const service = find("Service", `chorus-${name}`);
    expect(matches((service?.spec.selector ?? {}) as Record<string, string>, template.metadata.labels)).toBe(true);
    expect((service?.spec.ports as { port: number }[]).map((p) => p.port)).toContain(port);
    const pdb = find("PodDisruptionBudget", `chorus-${name}`);
    expect(matches((pdb?.spec.selector as { matchLabels: Record<string, string> }).matchLabels, template.metadata.labels)).toBe(true);
  });

  it("autoscales the gateway and the agents Deployments", () => {
    for (const name of ["chorus-gateway", "chorus-agents"]) {
      const hpa = find("HorizontalPodAutoscaler", name);
      const target = hpa?.spec.scaleTargetRef as { kind: string; name: string };
      expect(target, name).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name });
      expect(find(target.kind, target.name)?.metadata.name, name).toBe(name);
      expect(hpa?.spec.maxReplicas as number).toBeGreaterThan(hpa?.spec.minReplicas as number);
    }
  });

  it("runs the migrations as a Job with the shared config and its own Secret's DATABASE_URL", () => {
    const job = find("Job", "chorus-migrate");
    const container = (job?.spec.template as PodTemplate).spec.containers[0];
    expect(container?.args).toEqual(["migrate"]);
    expect(container?.envFrom).toEqual([{ configMapRef: { name: "chorus-config" } }]);
    expect(container?.env?.find((e) => e.name === "DATABASE_URL")?.valueFrom?.secretKeyRef).toEqual({ name: "chorus-migrate", key: "DATABASE_URL" });
  });
});

describe("the compose file", () => {
  const { text, compose } = readCompose();

  it("runs NATS with JetStream, Postgres, a collector with Jaeger and the migrations", () => {
    expect(compose.services.nats?.command).toContain("-js");
    expect(compose.services.postgres?.image).toMatch(/^postgres:/);
    expect(compose.services["otel-collector"]?.volumes?.[0]?.split(":")[0]).toBe("./deploy/compose/otel-collector.yaml");
    expect(existsSync(join(ROOT, "deploy/compose/otel-collector.yaml"))).toBe(true);
    expect(compose.services.jaeger?.image).toMatch(/^jaegertracing\//);
    expect(compose.services.migrate?.command).toEqual(["migrate"]);
  });

  it.each(SERVICES.map((s) => [s.name, s.port] as const))("runs %s on port %i with /readyz as health check, after NATS and the migrations", (name, port) => {
    const service = compose.services[name];
    expect(service?.command).toEqual([name]);
    expect(service?.environment?.PORT).toBe(String(port));
    expect(service?.environment?.OTEL_EXPORTER_OTLP_ENDPOINT).toBe("http://otel-collector:4318");
    const probed = SERVICES.find((s) => s.name === name)?.otherPorts?.OPS_PORT ?? port;
    expect(service?.healthcheck?.test.join(" ")).toContain(`http://127.0.0.1:${probed}/readyz`);
    expect(service?.depends_on).toMatchObject({ nats: { condition: "service_healthy" }, migrate: { condition: "service_completed_successfully" } });
  });

  it("uses only well-formed ${VAR} interpolations outside comments", () => {
    const yaml = text.split("\n").filter((line) => !line.trimStart().startsWith("#")).join("\n");
    for (const m of yaml.matchAll(/\$\{([^}]*)\}/g)) expect(m[1]).toMatch(/^[A-Z_][A-Z0-9_]*(:?[-?].*)?$/);
    expect(yaml).not.toMatch(/\$[^{$]/);
  });
});

describe("the Dockerfile", () => {
  const dockerfile = readText("Dockerfile");

  it("builds on Node 24 slim, installs production dependencies only and runs as a non-root user", () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-slim$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
  });

  it("copies the package.json of every workspace, so npm ci sees the whole lockfile", () => {
    for (const group of ["packages", "services"]) {
      for (const dir of readdirSync(join(ROOT, group))) {
        if (existsSync(join(ROOT, group, dir, "package.json"))) expect(dockerfile).toContain(`COPY ${group}/${dir}/package.json ${group}/${dir}/`);
      }
    }
  });

  it("starts every service through the telemetry preload", () => {
    const entrypoint = readText("deploy/docker/entrypoint.sh");
    expect(entrypoint).toContain("exec node --import ./packages/platform/src/telemetry-register.ts");
    expect(entrypoint).toContain('entry="services/$target/src/main.ts"');
    expect(dockerfile).toMatch(/^ENTRYPOINT \["chorus"\]$/m);
  });

  it("runs services named together (gateway,agents) in one process, through the same preload", () => {
    const run = spawnSync("sh", ["-c", `${readText("deploy/docker/entrypoint.sh").replace(/^exec node /m, "echo node ")}`, "entrypoint", "gateway,agents"], { encoding: "utf8" });
    expect(run.stdout.trim()).toBe("node --import ./packages/platform/src/telemetry-register.ts services/run.ts gateway,agents");
    const alone = spawnSync("sh", ["-c", `${readText("deploy/docker/entrypoint.sh").replace(/^exec node /m, "echo node ")}`, "entrypoint", "agents"], { encoding: "utf8" });
    expect(alone.stdout.trim()).toBe("node --import ./packages/platform/src/telemetry-register.ts services/agents/src/main.ts");
  });
});
