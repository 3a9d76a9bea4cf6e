// Which NATS and Postgres a test run uses: the servers NATS_URL and DATABASE_URL name when
// they answer, a container for each that does not where a Docker engine answers, and
// otherwise one message saying what to start. Pure; test-servers-setup.ts does the I/O.

/** The servers the fixtures use when NATS_URL or DATABASE_URL is not set. */
export const DEFAULT_TEST_NATS_URL = "nats://127.0.0.1:4222";
export const DEFAULT_TEST_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

export type TestServer = "NATS" | "Postgres";

export type Address = { host: string; port: number };

/** `configured`: the server at NATS_URL / DATABASE_URL; `container`: one started for this run. */
export type ServerSource = "configured" | "container";

export type TestServerPlan =
  | { kind: "ready"; nats: ServerSource; postgres: ServerSource }
  | { kind: "unavailable"; missing: TestServer[] };

export type ServerAnswers = { natsAnswers: boolean; postgresAnswers: boolean };

/** The servers that did not answer; Docker only matters when this is not empty. */
export function missingServers({ natsAnswers, postgresAnswers }: ServerAnswers): TestServer[] {
  const missing: TestServer[] = [];
  if (!natsAnswers) missing.push("NATS");
  if (!postgresAnswers) missing.push("Postgres");
  return missing;
}

export function chooseTestServers(observed: ServerAnswers & { dockerAvailable: boolean }): TestServerPlan {
  const missing = missingServers(observed);
  if (missing.length > 0 && !observed.dockerAvailable) return { kind: "unavailable", missing };
  return {
    kind: "ready",
    nats: observed.natsAnswers ? "configured" : "container",
    postgres: observed.postgresAnswers ? "configured" : "container",
  };
}

const HOW_TO_START: Record<TestServer, string> = {
  NATS: "nats-server -js",
  Postgres: "Postgres 15 or later",
};

const VARIABLE: Record<TestServer, string> = { NATS: "NATS_URL", Postgres: "DATABASE_URL" };

/** What to tell someone whose run cannot reach its servers: what is missing, where it looked, what to start. */
export function unavailableMessage(missing: TestServer[], looked: { nats: Address; postgres: Address }): string {
  const where = missing.map((server) => {
    const { host, port } = server === "NATS" ? looked.nats : looked.postgres;
    return `${server} at ${host.includes(":") ? `[${host}]` : host}:${port}`;
  });
  const one = missing.length === 1;
  return (
    `Integration and end-to-end tests need NATS with JetStream and Postgres, but no ${where.join(" and no ")} answers, ` +
    `and no Docker engine answers to start ${one ? "it in a container" : "them in containers"}. ` +
    `Start ${missing.map((server) => HOW_TO_START[server]).join(" and ")}, ` +
    `set ${missing.map((server) => VARIABLE[server]).join(" and ")} to ${one ? "one that runs" : "ones that run"}, or start Docker.`
  );
}

/** Host and port of the first server in a NATS_URL (`nats://h:p`, `h:p`, comma-separated) or a DATABASE_URL. */
export function serverAddress(url: string, defaultPort: number): Address {
  const first = url.split(",")[0]?.trim() ?? "";
  const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(first) ? first : `nats://${first}`);
  // URL keeps the brackets of an IPv6 literal; sockets want the bare address.
  const host = u.hostname.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1";
  return { host, port: u.port ? Number(u.port) : defaultPort };
}
