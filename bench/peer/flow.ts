// The peer's queues and how to connect them: the same three agents as Chorus, as BullMQ
// child jobs of one parent (fan-out), the parent running once all are done (fan-in).
// Over the machine's Redis, through BullMQ's Redis client (ioredis, a devDependency).
import { AGENT_IDS } from "@chorus/contracts";

export const PARENT_QUEUE = "request";
export const AGENT_QUEUES = AGENT_IDS;

export type PeerBackend = { host: string; port: number; prefix: string };

/** Connection options for any BullMQ class (Queue, Worker, FlowProducer, QueueEvents). */
export function bullmqOptions(backend: PeerBackend) {
  return { connection: { host: backend.host, port: backend.port }, prefix: backend.prefix };
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
  return `BullMQ flows over Redis (${backend.host}:${backend.port})`;
}
