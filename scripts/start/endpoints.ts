// Where NATS and Postgres are expected, read from their URLs, and whether `npm start`
// may start one there itself (only on this machine: it cannot start a remote server).

export type Endpoint = { host: string; port: number };

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "0.0.0.0", "::"]);

/** The first server of a NATS_URL (`nats://h:p`, `h:p`, or a comma-separated list of them). */
export function natsEndpoint(natsUrl: string): Endpoint {
  const first = natsUrl.split(",")[0]?.trim() ?? "";
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(first) ? first : `nats://${first}`;
  return endpointOf(withScheme, 4222);
}

export function postgresEndpoint(databaseUrl: string): Endpoint {
  return endpointOf(databaseUrl, 5432);
}

export function isLocalHost(host: string): boolean {
  return LOCAL_HOSTS.has(host.toLowerCase());
}

/** A URL shown to people without its password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
}

function endpointOf(url: string, defaultPort: number): Endpoint {
  const u = new URL(url);
  // URL keeps the brackets of an IPv6 literal; sockets want the bare address.
  const host = u.hostname.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1";
  return { host, port: u.port ? Number(u.port) : defaultPort };
}
