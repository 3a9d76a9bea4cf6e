// The peer's queues and how to connect them: the same three agents as Chorus, as BullMQ
// child jobs of one parent (fan-out), the parent running once all are done (fan-in).
// Redis when BullMQ's Redis client (ioredis) is installed, else BullMQ's Postgres backend.
import { createPostgresBackend } from "bullmq";
import { AGENT_IDS } from "@chorus/contracts";

export const PARENT_QUEUE = "request";
export const AGENT_QUEUES = AGENT_IDS;

export type PeerBackend = { kind: "redis"; host: string; port: number; prefix: string } | { kind: "postgres"; url: string };

/** Options and backend factory for any BullMQ class (Queue, Worker, FlowProducer, QueueEvents). */
export function bullmqArgs(backend: PeerBackend) {
  return backend.kind === "redis"
    ? { options: { connection: { host: backend.host, port: backend.port }, prefix: backend.prefix }, factory: undefined }
    : { options: { connection: { connectionString: backend.url, migrate: true } }, factory: createPostgresBackend };
}

export function flowOf(text: string) {
  return {
    name: "request",
    queueName: PARENT_QUEUE,
    data: {},
    children: AGENT_QUEUES.map((agent) => ({ name: agent, queueName: agent, data: { text } })),
  };
}

export function describeBackend(backend: PeerBackend): string {
  return backend.kind === "redis" ? `BullMQ flows over Redis (${backend.host}:${backend.port})` : "BullMQ flows over its Postgres backend";
}
