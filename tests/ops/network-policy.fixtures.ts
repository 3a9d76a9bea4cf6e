// Evaluates Kubernetes NetworkPolicies the way the API defines them, for the policy check of
// the manifests: may this pod open this connection, or receive it? A pod no policy of a
// direction selects is open in that direction; once one selects it, only the union of the
// selecting policies' rules is allowed. Plain data in and out; no cluster.
import type { K8sObject } from "./manifests.fixtures.ts";

type Labels = Record<string, string>;
type Requirement = { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] };
export type LabelSelector = { matchLabels?: Labels; matchExpressions?: Requirement[] };
type Peer = { podSelector?: LabelSelector; namespaceSelector?: LabelSelector; ipBlock?: { cidr: string; except?: string[] } };
type PolicyPort = { protocol?: string; port?: number | string; endPort?: number };
type Rule = { ports?: PolicyPort[]; to?: Peer[]; from?: Peer[] };
export type NetworkPolicySpec = { podSelector: LabelSelector; policyTypes?: ("Ingress" | "Egress")[]; ingress?: Rule[]; egress?: Rule[] };

/** One end of a connection: a pod (its namespace's labels and its own) or an address outside the cluster. */
export type Endpoint = { namespace: Labels; pod: Labels; ports?: { name?: string; containerPort: number }[] } | { ip: string };
export type Connection = { port: number; protocol?: "TCP" | "UDP" };

export function selects(selector: LabelSelector, labels: Labels): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return byLabels && (selector.matchExpressions ?? []).every((r) => {
    const value = labels[r.key];
    if (r.operator === "In") return value !== undefined && (r.values ?? []).includes(value);
    if (r.operator === "NotIn") return value === undefined || !(r.values ?? []).includes(value);
    if (r.operator === "Exists") return value !== undefined;
    return value === undefined;
  });
}

function ipv4(ip: string): number {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return parts.reduce((n, p) => n * 256 + p, 0);
}

export function inCidr(ip: string, cidr: string): boolean {
  const [base = "", bits = "32"] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(base) / size);
}

/** Whether a policy's peer covers an endpoint; `home` is the policy's namespace's labels. */
function peerCovers(peer: Peer, endpoint: Endpoint, home: Labels): boolean {
  if ("ip" in endpoint) return peer.ipBlock !== undefined && inCidr(endpoint.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => inCidr(endpoint.ip, c));
  if (peer.ipBlock) return false;
  const namespaceOk = peer.namespaceSelector ? selects(peer.namespaceSelector, endpoint.namespace) : selects({ matchLabels: home }, endpoint.namespace);
  return namespaceOk && (peer.podSelector ? selects(peer.podSelector, endpoint.pod) : true);
}

/** Whether a rule's ports cover a connection to `target` (whose named ports resolve named rule ports). */
function portCovers(ports: PolicyPort[] | undefined, c: Connection, target: Endpoint): boolean {
  if (!ports || ports.length === 0) return true;
  const protocol = c.protocol ?? "TCP";
  return ports.some((p) => {
    if ((p.protocol ?? "TCP") !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === "string") return "ports" in target && (target.ports ?? []).some((q) => q.name === p.port && q.containerPort === c.port);
    return p.endPort === undefined ? p.port === c.port : c.port >= p.port && c.port <= p.endPort;
  });
}

function policiesOf(objects: readonly K8sObject[]): { namespace: string; spec: NetworkPolicySpec }[] {
  return objects.filter((o) => o.kind === "NetworkPolicy").map((o) => ({ namespace: o.metadata.namespace ?? "default", spec: o.spec as NetworkPolicySpec }));
}

function typesOf(spec: NetworkPolicySpec): string[] {
  // The API's default: Ingress always, Egress when the policy has egress rules.
  return spec.policyTypes ?? ["Ingress", ...(spec.egress ? ["Egress"] : [])];
}

/** Whether the policies in `objects` let a pod of `namespace` open `c` to `to`. */
export function egressAllowed(objects: readonly K8sObject[], from: { namespace: string; pod: Labels }, to: Endpoint, c: Connection): boolean {
  const applying = policiesOf(objects).filter((p) => p.namespace === from.namespace && typesOf(p.spec).includes("Egress") && selects(p.spec.podSelector, from.pod));
  if (applying.length === 0) return true;
  const home = { "kubernetes.io/metadata.name": from.namespace };
  return applying.some((p) => (p.spec.egress ?? []).some((r) => portCovers(r.ports, c, to) && (!r.to || r.to.length === 0 || r.to.some((peer) => peerCovers(peer, to, home)))));
}

/** Whether the policies in `objects` let `source` open `c` to a pod of `namespace`. */
export function ingressAllowed(
  objects: readonly K8sObject[],
  to: { namespace: string; pod: Labels; ports?: { name?: string; containerPort: number }[] },
  source: Endpoint,
  c: Connection,
): boolean {
  const applying = policiesOf(objects).filter((p) => p.namespace === to.namespace && typesOf(p.spec).includes("Ingress") && selects(p.spec.podSelector, to.pod));
  if (applying.length === 0) return true;
  const home = { "kubernetes.io/metadata.name": to.namespace };
  const target: Endpoint = { namespace: home, pod: to.pod, ports: to.ports ?? [] };
  return applying.some((p) => (p.spec.ingress ?? []).some((r) => portCovers(r.ports, c, target) && (!r.from || r.from.length === 0 || r.from.some((peer) => peerCovers(peer, source, home)))));
}
