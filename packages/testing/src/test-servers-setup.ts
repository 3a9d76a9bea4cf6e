// Vitest globalSetup of the int and e2e projects: once per run, asks whether NATS_URL and
// DATABASE_URL answer, starts a container for each that does not where a Docker engine
// answers, and points the test workers (and the processes they spawn) at it through
// process.env, which vitest hands to the workers it starts after global setup.
// testcontainers is imported only when a server is missing, so a run on answering
// servers never loads it.
import { once } from "node:events";
import { connect } from "node:net";
import {
  chooseTestServers,
  DEFAULT_TEST_DATABASE_URL,
  DEFAULT_TEST_NATS_URL,
  missingServers,
  serverAddress,
  unavailableMessage,
  type Address,
  type TestServer,
} from "./test-servers.ts";

const NATS_IMAGE = "nats:2.10";
const POSTGRES_IMAGE = "postgres:16-alpine";
const NATS_CLIENT_PORT = 4222;

type StartedServer = { url: string; stop(): Promise<unknown> };

export async function setup(): Promise<() => Promise<void>> {
  const looked = {
    nats: serverAddress(process.env.NATS_URL ?? DEFAULT_TEST_NATS_URL, 4222),
    postgres: serverAddress(process.env.DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL, 5432),
  };
  const [natsAnswers, postgresAnswers] = await Promise.all([answersTcp(looked.nats), answersTcp(looked.postgres)]);
  const missing = missingServers({ natsAnswers, postgresAnswers });
  const plan = chooseTestServers({ natsAnswers, postgresAnswers, dockerAvailable: missing.length > 0 && (await dockerAnswers()) });
  if (plan.kind === "unavailable") throw new Error(unavailableMessage(plan.missing, looked));

  const started: StartedServer[] = [];
  const stopAll = async () => {
    await Promise.allSettled(started.map((server) => server.stop()));
  };
  try {
    if (plan.nats === "container") {
      const nats = await startContainer("NATS", NATS_IMAGE, startNats);
      started.push(nats);
      process.env.NATS_URL = nats.url;
    }
    if (plan.postgres === "container") {
      const postgres = await startContainer("Postgres", POSTGRES_IMAGE, startPostgres);
      started.push(postgres);
      process.env.DATABASE_URL = postgres.url;
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  return stopAll;
}

/** True when a TCP connection to the server opens within `timeoutMs`. */
async function answersTcp({ host, port }: Address, timeoutMs = 1_000): Promise<boolean> {
  const socket = connect({ host, port });
  try {
    // `once` rejects on the socket's "error" (refused, unknown host) as on the timeout.
    await once(socket, "connect", { signal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}

/** Whether testcontainers finds a container runtime that answers (DOCKER_HOST, ~/.testcontainers.properties, the usual sockets). */
async function dockerAnswers(): Promise<boolean> {
  const { getContainerRuntimeClient } = await import("testcontainers");
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/** Says what is started before starting it, as pulling an image can take a while. */
async function startContainer(server: TestServer, image: string, start: () => Promise<StartedServer>): Promise<StartedServer> {
  console.log(`test servers: no ${server} answers at ${server === "NATS" ? "NATS_URL" : "DATABASE_URL"}; starting ${image} with testcontainers for this run`);
  return start();
}

async function startNats(): Promise<StartedServer> {
  const { GenericContainer, Wait } = await import("testcontainers");
  const container = await new GenericContainer(NATS_IMAGE)
    .withCommand(["-js"])
    .withExposedPorts(NATS_CLIENT_PORT)
    .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
    .start();
  return { url: `nats://${container.getHost()}:${container.getMappedPort(NATS_CLIENT_PORT)}`, stop: () => container.stop() };
}

async function startPostgres(): Promise<StartedServer> {
  const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
  // The fixtures create and drop a database per test through the `postgres` database, as on a local server.
  const container = await new PostgreSqlContainer(POSTGRES_IMAGE).withDatabase("postgres").withUsername("postgres").withPassword("postgres").start();
  return { url: container.getConnectionUri(), stop: () => container.stop() };
}
