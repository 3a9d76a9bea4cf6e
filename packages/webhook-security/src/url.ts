// What a webhook URL's text may say, decided before any DNS lookup: at submission and again
// at every delivery, so both refuse the same URLs. Refused whatever the configuration:
// whitespace or control characters anywhere in the raw text (the URL parser would silently
// drop or trim them, so the URL checked would not be the one given), schemes other than
// http(s), a user name or password, and a host ending in a dot. Refused unless
// WEBHOOK_ALLOW_PRIVATE: local, internal and cloud metadata names, internal IP literals, and
// ports not in WEBHOOK_ALLOWED_PORTS. Pure: string and URL parsing only.
import { webhookAddressVerdict } from "./address.ts";
import { DEFAULT_WEBHOOK_PORTS } from "./ports.ts";

export type WebhookUrlOptions = {
  /** WEBHOOK_ALLOW_PRIVATE: local names, internal addresses and any port (development, tests). */
  allowPrivate: boolean;
  /** WEBHOOK_ALLOWED_PORTS; 80 and 443 when absent. */
  allowedPorts?: readonly number[] | undefined;
};

/**
 * `href` is the URL as the URL parser spells it (`HTTPS://Example.COM` → `https://example.com/`):
 * what is stored, checked and called. `host` has no IPv6 brackets; `literal` says it is an IP address.
 */
export type WebhookUrlVerdict = { allowed: true; href: string; host: string; literal: boolean } | { allowed: false; reason: string };

const FOR_LOCAL_TESTING = "set WEBHOOK_ALLOW_PRIVATE=true for local testing";

/** Control (C0, DEL, C1), invisible format characters and every kind of Unicode space. */
const UNSAFE_CHARACTER = /[\p{Cc}\p{Cf}\p{Z}\s]/u;

/**
 * Names that reach the machine itself, a private network or a cloud's instance metadata,
 * whatever DNS says of them. A name matches itself and every name under it.
 */
const LOCAL_NAMES: [suffix: string, kind: string][] = [
  ["localhost", "loopback name"],
  // Cloud instance metadata; most resolve to 169.254.169.254, some to public addresses that answer by source.
  ["metadata.google.internal", "cloud metadata name"],
  ["metadata.goog", "cloud metadata name"],
  ["instance-data.ec2.internal", "cloud metadata name"],
  ["metadata.azure.com", "cloud metadata name"],
  ["metadata.azure.internal", "cloud metadata name"],
  ["metadata.tencentyun.com", "cloud metadata name"],
  ["metadata.platformequinix.com", "cloud metadata name"],
  ["metadata.packet.net", "cloud metadata name"],
  ["api.metadata.cloud.ibm.com", "cloud metadata name"],
  ["local", "link-local (mDNS .local) name"],
  ["internal", "internal (.internal) name"],
  ["localdomain", "internal (.localdomain) name"],
  ["home.arpa", "home network (.home.arpa) name"],
  ["home", "internal (.home) name"],
  ["lan", "internal (.lan) name"],
  ["corp", "internal (.corp) name"],
  ["intranet", "internal (.intranet) name"],
  // Kubernetes service names (name.namespace.svc); name.namespace.svc.cluster.local is under .local.
  ["svc", "cluster-internal (.svc) name"],
];

function localNameKind(host: string): string | undefined {
  for (const [suffix, kind] of LOCAL_NAMES) if (host === suffix || host.endsWith(`.${suffix}`)) return kind;
  // `metadata`, `instance-data`, `postgres`: a name without a dot is completed by the local search domains.
  if (!host.includes(".")) return "single-label name, resolved through the local search domains";
  return undefined;
}

/** The text between `//` and the path, as the URL parser delimits it for http(s) (a backslash ends it too). */
function authorityOf(raw: string): string {
  const rest = raw.slice(raw.indexOf("//") + 2);
  return rest.split(/[/?#\\]/, 1)[0] ?? "";
}

/** What is refused whatever the configuration; also used by the gateway's request schema, which has no configuration. */
export function webhookUrlSyntaxVerdict(raw: string): WebhookUrlVerdict {
  const unsafe = UNSAFE_CHARACTER.exec(raw);
  if (unsafe) {
    const code = (unsafe[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0");
    return { allowed: false, reason: `must not contain whitespace or control characters (found U+${code} at position ${unsafe.index})` };
  }
  if (!/^https?:\/\//i.test(raw)) return { allowed: false, reason: "must be an http or https URL" };
  const url = URL.parse(raw);
  if (!url) return { allowed: false, reason: "not a valid URL" };
  // Even an empty user name (`https://@host`) is refused: the URL that is stored must be the one given.
  if (url.username || url.password || authorityOf(raw).includes("@")) {
    return { allowed: false, reason: "must not contain a user name or password (user:password@host)" };
  }
  if (url.hostname.endsWith(".")) return { allowed: false, reason: `host ${url.hostname} must not end with a dot` };
  const host = url.hostname.replace(/^\[|\]$/g, "");
  // The URL parser has already turned every IPv4 spelling (0x7f.1, 2130706433) into dotted decimal.
  const literal = url.hostname.startsWith("[") || /^[\d.]+$/.test(host);
  return { allowed: true, href: url.href, host, literal };
}

/** Whether a webhook may be sent to this URL, as far as its text tells; DNS is checked after (resolve.ts). */
export function webhookUrlVerdict(raw: string, options: WebhookUrlOptions): WebhookUrlVerdict {
  const syntax = webhookUrlSyntaxVerdict(raw);
  if (!syntax.allowed || options.allowPrivate) return syntax;
  const { host, literal } = syntax;
  if (literal) {
    // The client named the address itself: saying what kind it is reveals nothing.
    const address = webhookAddressVerdict(host);
    if (!address.allowed) return { allowed: false, reason: `webhooks may not reach ${host} (${address.reason} address); ${FOR_LOCAL_TESTING}` };
  } else {
    const kind = localNameKind(host);
    if (kind) return { allowed: false, reason: `webhooks may not reach ${host} (${kind}); ${FOR_LOCAL_TESTING}` };
  }
  const url = new URL(syntax.href);
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  const allowedPorts = options.allowedPorts ?? DEFAULT_WEBHOOK_PORTS;
  if (!allowedPorts.includes(port)) {
    return {
      allowed: false,
      reason: `port ${port} is not allowed for webhooks (allowed: ${allowedPorts.join(", ")}; WEBHOOK_ALLOWED_PORTS lists them, or ${FOR_LOCAL_TESTING})`,
    };
  }
  return syntax;
}
