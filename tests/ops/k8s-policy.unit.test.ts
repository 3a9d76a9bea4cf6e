// The security policy of the Kubernetes manifests (issue #19), checked on what
// `kubectl apply -k deploy/k8s` would apply: every pod locked down (no service account token,
// non-root, seccomp, read-only root, no privilege escalation, no capabilities), images pinned,
// no Secret rendered and each service reading only its own Secret's keys, and network
// policies that deny by default and allow exactly the connections the system needs.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { SERVICES } from "../../scripts/start/services.ts";
import { parseImage, renderKustomization, ROOT, type K8sObject } from "./manifests.fixtures.ts";
import { egressAllowed, ingressAllowed, type Endpoint, type NetworkPolicySpec } from "./network-policy.fixtures.ts";

type SecurityContext = {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
};
type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } };
type Container = {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: { httpGet?: { port: string | number } };
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string }[];
};
type PodSpec = {
  automountServiceAccountToken?: boolean;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext;
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; emptyDir?: object }[];
};
type Pod = { workload: string; labels: Record<string, string>; annotations: Record<string, string>; spec: PodSpec };

const objects = renderKustomization();
const NAMESPACE = "chorus";

/** Every pod template the manifests run: the Deployments' and the migration Job's. */
const pods: Pod[] = objects
  .filter((o) => o.kind === "Deployment" || o.kind === "Job")
  .map((o) => {
    const template = (o.spec as { template: { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec } }).template;
    return { workload: `${o.kind}/${o.metadata.name}`, labels: template.metadata.labels ?? {}, annotations: template.metadata.annotations ?? {}, spec: template.spec };
  });
const podOf = (name: string): Pod => {
  const pod = pods.find((p) => p.labels["app.kubernetes.io/name"] === `chorus-${name}`);
  if (!pod) throw new Error(`no pod chorus-${name}`);
  return pod;
};

/** What breaks the pod security settings in a pod spec, one line per problem: empty when it complies. */
function podSecurityProblems(spec: PodSpec): string[] {
  const problems: string[] = [];
  const pod = spec.securityContext ?? {};
  if (spec.automountServiceAccountToken !== false) problems.push("automountServiceAccountToken is not false");
  for (const host of ["hostNetwork", "hostPID", "hostIPC"] as const) if (spec[host]) problems.push(`${host} is set`);
  const emptyDirs = new Set((spec.volumes ?? []).filter((v) => v.emptyDir).map((v) => v.name));
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    // A container's own setting wins over the pod's.
    const own = c.securityContext ?? {};
    const effective = { ...pod, ...own };
    if (effective.runAsNonRoot !== true) problems.push(`${c.name}: runAsNonRoot is not true`);
    if (effective.runAsUser !== 1000 || effective.runAsGroup !== 1000) problems.push(`${c.name}: does not run as user and group 1000`);
    if (effective.seccompProfile?.type !== "RuntimeDefault") problems.push(`${c.name}: seccomp profile is not RuntimeDefault`);
    if (own.privileged) problems.push(`${c.name}: privileged`);
    if (own.allowPrivilegeEscalation !== false) problems.push(`${c.name}: allowPrivilegeEscalation is not false`);
    if (own.readOnlyRootFilesystem !== true) problems.push(`${c.name}: root filesystem is not read-only`);
    if (!(own.capabilities?.drop ?? []).includes("ALL")) problems.push(`${c.name}: capabilities are not all dropped`);
    if ((own.capabilities?.add ?? []).length > 0) problems.push(`${c.name}: adds capabilities`);
    // The read-only root leaves /tmp as the one writable place the runtime may need.
    const tmp = (c.volumeMounts ?? []).find((m) => m.mountPath === "/tmp");
    if (!tmp || !emptyDirs.has(tmp.name)) problems.push(`${c.name}: no emptyDir on /tmp`);
  }
  return problems;
}

describe("every pod of the Kubernetes manifests", () => {
  it("covers the five services and the migration Job", () => {
    expect(pods.map((p) => p.labels["app.kubernetes.io/name"]).sort()).toEqual(
      [...SERVICES.map((s) => `chorus-${s.name}`), "chorus-migrate"].sort(),
    );
  });

  it.each(pods.map((p) => [p.workload, p] as const))("%s: no token, non-root, seccomp, read-only root, no escalation, no capabilities", (_name, pod) => {
    expect(podSecurityProblems(pod.spec)).toEqual([]);
  });

  it("finds every problem in a pod spec with none of the settings, so the check above can fail", () => {
    const bare: PodSpec = { hostNetwork: true, containers: [{ name: "app", image: "x:1", securityContext: { runAsNonRoot: false, capabilities: { add: ["NET_ADMIN"] } } }] };
    expect(podSecurityProblems(bare)).toEqual([
      "automountServiceAccountToken is not false",
      "hostNetwork is set",
      "app: runAsNonRoot is not true",
      "app: does not run as user and group 1000",
      "app: seccomp profile is not RuntimeDefault",
      "app: allowPrivilegeEscalation is not false",
      "app: root filesystem is not read-only",
      "app: capabilities are not all dropped",
      "app: adds capabilities",
      "app: no emptyDir on /tmp",
    ]);
    // A container may not undo the pod's settings.
    const [good] = pods;
    const undone = { ...good!.spec, containers: good!.spec.containers.map((c) => ({ ...c, securityContext: { ...c.securityContext, runAsNonRoot: false } })) };
    expect(podSecurityProblems(undone)).toEqual([`${good!.spec.containers[0]!.name}: runAsNonRoot is not true`]);
  });

  it.each(pods.map((p) => [p.workload, p] as const))("%s: runs a pinned image (a release tag or a digest, never latest)", (_name, pod) => {
    for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
      const image = parseImage(c.image);
      expect(image.tag !== undefined || image.digest !== undefined, `${c.image} has no tag`).toBe(true);
      expect(image.tag, c.image).not.toBe("latest");
      if (image.digest !== undefined) expect(image.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
  });
});

/** The keys each workload reads from its own Secret, and whether it may start without them. */
const SECRET_KEYS: Record<string, string[]> = {
  gateway: ["CHORUS_ADMIN_KEY", "DATABASE_URL", "NATS_PASSWORD", "WEBHOOK_FINGERPRINT_KEY", "WEBHOOK_SECRET_KEYS"],
  orchestrator: ["NATS_PASSWORD"],
  agents: ["AGENT_GRPC_TOKEN", "NATS_PASSWORD", "OPENAI_API_KEY"],
  projector: ["DATABASE_URL", "NATS_PASSWORD"],
  webhooks: ["NATS_PASSWORD", "WEBHOOK_SECRET_KEYS"],
  migrate: ["DATABASE_URL"],
};
// Without them: no bootstrap admin key, the offline provider, a closed Analyze.
const OPTIONAL_KEYS = new Set(["CHORUS_ADMIN_KEY", "OPENAI_API_KEY", "AGENT_GRPC_TOKEN"]);

describe("the secrets of the Kubernetes manifests", () => {
  it("renders no Secret: `kubectl apply -k` applies no placeholder", () => {
    expect(objects.filter((o) => o.kind === "Secret").map((o) => o.metadata.name)).toEqual([]);
  });

  it.each(Object.entries(SECRET_KEYS))("%s reads only its own keys, each from its own Secret, and nothing through envFrom of a Secret", (name, keys) => {
    const [container] = podOf(name).spec.containers;
    expect(container?.envFrom?.filter((r) => r.secretRef)).toEqual([]);
    const fromSecrets = (container?.env ?? []).filter((e) => e.valueFrom?.secretKeyRef);
    expect([...new Set(fromSecrets.map((e) => e.valueFrom?.secretKeyRef?.name))]).toEqual([`chorus-${name}`]);
    expect(fromSecrets.map((e) => e.valueFrom?.secretKeyRef?.key).sort()).toEqual(keys);
    // Each value lands in the variable of its own name, and only the optional ones may be absent.
    for (const e of fromSecrets) {
      expect(e.valueFrom?.secretKeyRef?.key).toBe(e.name);
      expect(e.valueFrom?.secretKeyRef?.optional ?? false, e.name).toBe(OPTIONAL_KEYS.has(e.name));
    }
  });

  it.each(SERVICES.map((s) => [s.name] as const))("%s logs in to NATS as its own user", (name) => {
    expect(podOf(name).spec.containers[0]?.env?.find((e) => e.name === "NATS_USER")?.value).toBe(name);
  });

  it("documents in secrets.example.yaml, outside the kustomization, exactly the Secrets and keys the pods read", () => {
    const documented = parseAllDocuments(readFileSync(join(ROOT, "deploy/k8s/secrets.example.yaml"), "utf8")).map((d) => d.toJS() as K8sObject & { stringData: Record<string, string> });
    expect(Object.fromEntries(documented.map((s) => [s.metadata.name, Object.keys(s.stringData).sort()]))).toEqual(
      Object.fromEntries(Object.entries(SECRET_KEYS).map(([name, keys]) => [`chorus-${name}`, keys])),
    );
    for (const s of documented) expect(Object.values(s.stringData).every((v) => v.includes("CHANGE-ME")), s.metadata.name).toBe(true);
  });
});

// Places outside namespace chorus the pods talk to, or are reached from.
const DNS: Endpoint = { namespace: { "kubernetes.io/metadata.name": "kube-system" }, pod: { "k8s-app": "kube-dns" } };
const NATS: Endpoint = { namespace: { "kubernetes.io/metadata.name": "nats" }, pod: { "app.kubernetes.io/name": "nats" } };
const COLLECTOR: Endpoint = { namespace: { "kubernetes.io/metadata.name": "observability" }, pod: { "app.kubernetes.io/name": "opentelemetry-collector" } };
const PROMETHEUS: Endpoint = { namespace: { "kubernetes.io/metadata.name": "monitoring" }, pod: { "app.kubernetes.io/name": "prometheus" } };
const ELSEWHERE: Endpoint = { namespace: { "kubernetes.io/metadata.name": "somebody-else" }, pod: { app: "curious" } };
/** Inside the placeholder range of chorus-allow-postgres, which README.md says to replace. */
const POSTGRES: Endpoint = { ip: "192.0.2.10" };
const INTERNET: Endpoint = { ip: "93.184.215.14" };
const PRIVATE: Endpoint[] = ["10.0.0.5", "172.16.3.4", "192.168.1.1", "169.254.169.254", "100.64.0.1"].map((ip) => ({ ip }));

const WORKLOADS = [...SERVICES.map((s) => s.name), "migrate"];
const asSource = (name: string) => ({ namespace: NAMESPACE, pod: podOf(name).labels });
const asTarget = (name: string) => ({ namespace: NAMESPACE, pod: podOf(name).labels, ports: podOf(name).spec.containers[0]?.ports ?? [] });
const inChorus = (name: string): Endpoint => ({ namespace: { "kubernetes.io/metadata.name": NAMESPACE }, pod: podOf(name).labels, ports: podOf(name).spec.containers[0]?.ports ?? [] });
const can = (from: string, to: Endpoint, port: number, protocol: "TCP" | "UDP" = "TCP") => egressAllowed(objects, asSource(from), to, { port, protocol });
const reaches = (source: Endpoint, to: string, port: number) => ingressAllowed(objects, asTarget(to), source, { port });

describe("the network policies of the Kubernetes manifests", () => {
  it("deny all ingress and egress of every pod in the namespace by default", () => {
    const denyAll = objects.filter((o) => {
      const spec = o.spec as NetworkPolicySpec;
      return o.kind === "NetworkPolicy" && Object.keys(spec.podSelector).length === 0 && !spec.ingress && !spec.egress;
    });
    expect(denyAll.map((o) => (o.spec as NetworkPolicySpec).policyTypes?.sort())).toEqual([["Egress", "Ingress"]]);
  });

  it.each(WORKLOADS.map((w) => [w] as const))("let %s resolve names, send traces and answer Prometheus on its probe and metrics port", (name) => {
    expect(can(name, DNS, 53, "UDP")).toBe(true);
    expect(can(name, DNS, 53, "TCP")).toBe(true);
    expect(can(name, COLLECTOR, 4318)).toBe(true);
    const pod = podOf(name);
    if (name === "migrate") return; // a Job: no probes, nothing scrapes it
    const probe = pod.spec.containers[0]?.readinessProbe?.httpGet?.port;
    const probePort = typeof probe === "number" ? probe : pod.spec.containers[0]?.ports?.find((p) => p.name === probe)?.containerPort;
    for (const port of [probePort, Number(pod.annotations["prometheus.io/port"])]) {
      expect(reaches(PROMETHEUS, name, port ?? -1), `monitoring → ${name}:${port}`).toBe(true);
      expect(reaches(ELSEWHERE, name, port ?? -1), `elsewhere → ${name}:${port}`).toBe(false);
    }
  });

  it("let the five services, and only them, reach NATS on 4222", () => {
    for (const name of WORKLOADS) expect(can(name, NATS, 4222), name).toBe(name !== "migrate");
    expect(can("gateway", NATS, 8222)).toBe(false);
  });

  it("let the gateway, the projector and the migrations, and only them, reach Postgres on 5432", () => {
    for (const name of WORKLOADS) expect(can(name, POSTGRES, 5432), name).toBe(["gateway", "projector", "migrate"].includes(name));
  });

  it("let the webhooks reach the internet on 80 and 443 and the agents on 443, and nothing private", () => {
    for (const name of WORKLOADS) {
      expect(can(name, INTERNET, 443), `${name} → internet:443`).toBe(name === "webhooks" || name === "agents");
      expect(can(name, INTERNET, 80), `${name} → internet:80`).toBe(name === "webhooks");
      expect(can(name, INTERNET, 22), `${name} → internet:22`).toBe(false);
      for (const ip of PRIVATE) expect(can(name, ip, 443), `${name} → ${"ip" in ip ? ip.ip : ""}:443`).toBe(false);
    }
  });

  it("let anyone reach the gateway's API on 8000 and 50051, and no pod reach another's port", () => {
    expect(reaches(ELSEWHERE, "gateway", 8000)).toBe(true);
    expect(reaches(ELSEWHERE, "gateway", 50051)).toBe(true);
    expect(reaches(ELSEWHERE, "agents", 50052)).toBe(false);
    for (const from of WORKLOADS) {
      for (const to of SERVICES) {
        // The gateway's API is open to all; nothing in Chorus calls another service directly.
        if (to.name !== "gateway") expect(reaches(inChorus(from), to.name, to.port), `${from} → ${to.name}:${to.port}`).toBe(false);
        expect(can(from, inChorus(to.name), to.port), `${from} → ${to.name}:${to.port}`).toBe(false);
      }
    }
  });
});
