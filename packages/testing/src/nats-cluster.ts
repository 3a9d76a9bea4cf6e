// A JetStream cluster on loopback for tests of clustered start-up and failover: `size`
// nats-server processes, each with its own name, store, client port and route port, routed
// to one another. Nothing runs until a node is started, so a test decides who comes first.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { answersTcp, freePort } from "./processes.ts";

export type ClusterNode = {
  /** The server's name, as JetStream reports it (a stream's `cluster.leader`). */
  name: string;
  port: number;
  url: string;
  /** Spawns the server (again, on the same store, after a kill) and resolves once its client port answers. */
  start(): Promise<void>;
  /** Sends `signal` and waits for the process to end. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  running(): boolean;
  output(): string;
};

export type NatsCluster = {
  name: string;
  nodes: ClusterNode[];
  /** Every node's client URL, comma-separated, as NATS_URL takes it: a client fails over between them. */
  url: string;
  node(name: string): ClusterNode;
  /** Kills every node and deletes the stores. */
  cleanup(): Promise<void>;
};

export async function natsCluster(options: { size?: number; binary?: string } = {}): Promise<NatsCluster> {
  const size = options.size ?? 3;
  const binary = options.binary ?? "nats-server";
  const name = `c${Math.random().toString(36).slice(2, 8)}`;
  const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await freePort(), route: await freePort() })));
  const routes = ports.map((p) => `nats://127.0.0.1:${p.route}`).join(",");
  const stores: string[] = [];

  const nodes = await Promise.all(
    ports.map(async ({ client, route }, i): Promise<ClusterNode> => {
      const store = await mkdtemp(join(tmpdir(), "chorus-nats-cluster-"));
      stores.push(store);
      const nodeName = `${name}-n${i + 1}`;
      let child: ChildProcess | undefined;
      let output = "";
      const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
      return {
        name: nodeName,
        port: client,
        url: `nats://127.0.0.1:${client}`,
        running,
        output: () => output,
        async start() {
          if (running()) return;
          const args = ["-js", "-a", "127.0.0.1", "-p", String(client), "-sd", store, "--name", nodeName];
          args.push("--cluster_name", name, "--cluster", `nats://127.0.0.1:${route}`, "--routes", routes);
          const started = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
          child = started;
          started.stdout?.on("data", (d: Buffer) => (output += d.toString()));
          started.stderr?.on("data", (d: Buffer) => (output += d.toString()));
          const deadline = Date.now() + 15_000;
          while (!(await answersTcp(client))) {
            if (started.exitCode !== null || Date.now() > deadline) throw new Error(`nats-server ${nodeName} did not start on ${client}:\n${output}`);
            await new Promise((r) => setTimeout(r, 25));
          }
        },
        async kill(signal = "SIGKILL") {
          const target = child;
          if (!target || target.exitCode !== null || target.signalCode !== null) return;
          const exited = new Promise<void>((resolve) => target.once("exit", () => resolve()));
          target.kill(signal);
          await exited;
        },
      };
    }),
  );

  return {
    name,
    nodes,
    url: nodes.map((n) => n.url).join(","),
    node(wanted) {
      const found = nodes.find((n) => n.name === wanted);
      if (!found) throw new Error(`no node named ${wanted} in cluster ${name} (${nodes.map((n) => n.name).join(", ")})`);
      return found;
    },
    async cleanup() {
      await Promise.all(nodes.map((n) => n.kill("SIGKILL")));
      await Promise.all(stores.map((s) => rm(s, { recursive: true, force: true })));
    },
  };
}
