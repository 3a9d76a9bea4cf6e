// The peer's workers, in their own process like Chorus's services: three instant agent
// workers and the fan-in worker. `node bench/peer/workers.ts '<backend json>' <concurrency>`;
// prints "ready" once listening, stops on SIGTERM.
import { Worker } from "bullmq";
import { instantOutput } from "../../services/agents/src/providers/instant/index.ts";
import { AGENT_QUEUES, bullmqOptions, PARENT_QUEUE, type PeerBackend } from "./flow.ts";

const backend = JSON.parse(process.argv[2] ?? "{}") as PeerBackend;
const concurrency = Number(process.argv[3] ?? 64);
const options = bullmqOptions(backend);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each worker's job shape is its own
const worker = (queue: string, work: (job: any) => Promise<unknown>) => new Worker(queue, work, { ...options, concurrency });

const workers = [
  ...AGENT_QUEUES.map((agent) => worker(agent, async (job: { data: { text: string } }) => instantOutput(agent, job.data.text))),
  worker(PARENT_QUEUE, async (job: { getChildrenValues(): Promise<Record<string, unknown>> }) => job.getChildrenValues()),
];
await Promise.all(workers.map((w) => w.waitUntilReady()));
process.stdout.write("ready\n");
process.on("SIGTERM", () => {
  void Promise.all(workers.map((w) => w.close())).then(() => process.exit(0));
});
