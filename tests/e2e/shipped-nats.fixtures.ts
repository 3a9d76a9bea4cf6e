// A private nats-server run from the configuration Chorus ships (deploy/nats/nats-server.conf):
// its users, passwords (random, in the server's environment as in production) and
// permissions, on a free port with its own store. For tests of what each service's NATS
// user may and may not do.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connectNats, jetStreamClients, natsAccess, type JetStreamClient, type JetStreamManager, type NatsConnection } from "@chorus/platform";
import { answersTcp, freePort, testLogger } from "@chorus/testing";

export const SHIPPED_NATS_CONFIG = fileURLToPath(new URL("../../deploy/nats/nats-server.conf", import.meta.url));

export const NATS_USERS = ["gateway", "orchestrator", "agents", "projector", "webhooks"] as const;
export type NatsUser = (typeof NATS_USERS)[number];

export type ShippedNats = {
  url: string;
  /** The environment a service connects with as `user`. */
  envOf(user: NatsUser): { NATS_URL: string; NATS_USER: string; NATS_PASSWORD: string };
  /** A connection as `user`, closed by cleanup. */
  connectAs(user: NatsUser): Promise<{ nc: NatsConnection; js: JetStreamClient; jsm: JetStreamManager }>;
  /** The server's permission violation lines so far (`Publish Violation - User "gateway", Subject "…"`). */
  violations(): string[];
  cleanup(): Promise<void>;
};

export async function shippedNats(binary = "nats-server"): Promise<ShippedNats> {
  const port = await freePort();
  const store = await mkdtemp(join(tmpdir(), "chorus-nats-shipped-"));
  // Beginning with a letter: the server reads the variable as a configuration value, where "3e1…" is a number.
  const passwords = Object.fromEntries(NATS_USERS.map((user) => [user, `p${randomBytes(24).toString("hex")}`])) as Record<NatsUser, string>;
  const serverEnv = Object.fromEntries(NATS_USERS.map((user) => [`NATS_${user.toUpperCase()}_PASSWORD`, passwords[user]]));
  let output = "";
  const child: ChildProcess = spawn(binary, ["-c", SHIPPED_NATS_CONFIG, "-a", "127.0.0.1", "-p", String(port), "-sd", store], {
    env: { PATH: process.env.PATH ?? "", ...serverEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const connections: NatsConnection[] = [];
  const url = `nats://127.0.0.1:${port}`;

  const cleanup = async () => {
    await Promise.all(connections.map((nc) => nc.close().catch(() => undefined)));
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      await exited;
    }
    await rm(store, { recursive: true, force: true });
  };

  const deadline = Date.now() + 15_000;
  while (!(await answersTcp(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await cleanup();
      throw new Error(`nats-server with ${SHIPPED_NATS_CONFIG} did not start on ${port}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  const envOf = (user: NatsUser) => ({ NATS_URL: url, NATS_USER: user, NATS_PASSWORD: passwords[user] });
  return {
    url,
    envOf,
    async connectAs(user) {
      const access = natsAccess({ NATS_USER: user, NATS_PASSWORD: passwords[user] }, () => "");
      const nc = await connectNats({ url, name: `test-${user}`, logger: testLogger, access });
      connections.push(nc);
      return { nc, ...(await jetStreamClients(nc)) };
    },
    violations: () => output.split("\n").filter((line) => line.includes("Violation")),
    cleanup,
  };
}
