// The orchestrator's I/O shell: three durable consumers (submit commands, agent
// deadlines, agent events) feeding one input handler. Stateless: any number of
// replicas share the durables; message ids and the state check keep work single.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { AgentCompleted, AgentDispatched, AgentFailed, AgentStarted, CheckAgentDeadline, SubmitRequest, type Topology } from "@chorus/contracts";
import { ensureDurable, requestLogger, runConsumer, type ConsumerHandle, type Delivery, type JetStreamClient, type JetStreamManager, type Logger } from "@chorus/platform";
import { durableSpecs, DURABLES, MAX_DELIVER } from "./consumers.ts";
import { handleInput, type HandleDeps } from "./handle.ts";
import { lastBySubjectLoader, type RequestLoader } from "./load-request.ts";
import { msUntilDeadline } from "./request/index.ts";

export type OrchestratorDeps = {
  js: JetStreamClient;
  jsm: JetStreamManager;
  topology: Topology;
  logger: Logger;
  agentTimeoutMs: number;
  /** Handlers running at once, per consumer, in this process. */
  concurrency: number;
  clock?: () => Date;
  newId?: () => string;
  loadRequest?: RequestLoader;
};

export type Orchestrator = {
  /** Stops pulling and waits for in-flight handlers; the caller drains the connection after. */
  stop(): Promise<void>;
  /** True while every consumer is pulling. */
  isRunning(): boolean;
};

/** An agent outcome for a request with no RequestAccepted: retried, then dead-lettered. */
export class UnknownRequestError extends Error {
  override name = "UnknownRequestError";
}

// The orchestrator ignores these agent events without loading any state, so they are
// validated only as far as needed to tell them apart.
const AgentEventInput = z.union([
  AgentDispatched.pick({ type: true, request_id: true }),
  AgentStarted.pick({ type: true, request_id: true }),
  AgentCompleted,
  AgentFailed,
]);

/** A deadline check for a request the stream does not know is retried this often before it is dropped. */
const UNKNOWN_DEADLINE_RETRIES = 10;

export async function startOrchestrator(deps: OrchestratorDeps): Promise<Orchestrator> {
  const { js, jsm, topology: t, logger } = deps;
  const specs = durableSpecs(t);
  for (const spec of Object.values(specs)) await ensureDurable(jsm, spec);

  const clock = deps.clock ?? (() => new Date());
  const handleDeps: HandleDeps = {
    js,
    topology: t,
    load: deps.loadRequest ?? lastBySubjectLoader(jsm, t),
    clock,
    newId: deps.newId ?? randomUUID,
    agentTimeoutMs: deps.agentTimeoutMs,
    logger,
  };
  const common = { js, topology: t, logger, concurrency: deps.concurrency };
  const handles: ConsumerHandle[] = [];
  const stop = async () => {
    await Promise.all(handles.map((h) => h.stop()));
  };

  try {
    handles.push(
      await runConsumer({
        ...common,
        stream: specs.commands.stream,
        durable: DURABLES.commands,
        schema: SubmitRequest,
        maxDeliver: MAX_DELIVER,
        handle: async (command, delivery) => {
          await handleInput(handleDeps, command, { redelivered: delivery.deliveryCount > 1 });
        },
      }),
    );
    handles.push(
      await runConsumer({
        ...common,
        stream: specs.deadlines.stream,
        durable: DURABLES.deadlines,
        schema: CheckAgentDeadline,
        maxDeliver: Infinity,
        handle: async (check, delivery) => {
          // Not due yet: come back at the deadline. No state is loaded for this.
          const wait = msUntilDeadline(check, clock());
          if (wait > 0) return { retryInMs: wait };
          const outcome = await handleInput(handleDeps, check, { redelivered: delivery.deliveryCount > 1 });
          if (outcome === "unknown_request") return unknownDeadline(logger, check, delivery);
        },
      }),
    );
    handles.push(
      await runConsumer({
        ...common,
        stream: specs.agentEvents.stream,
        durable: DURABLES.agentEvents,
        schema: AgentEventInput,
        maxDeliver: MAX_DELIVER,
        handle: async (event, delivery) => {
          if (event.type === "AgentDispatched" || event.type === "AgentStarted") return;
          const outcome = await handleInput(handleDeps, event, { redelivered: delivery.deliveryCount > 1 });
          if (outcome === "unknown_request") throw new UnknownRequestError(`${event.type} for request ${event.request_id}, which was never accepted`);
        },
      }),
    );
  } catch (err) {
    await stop();
    throw err;
  }

  return { stop, isRunning: () => handles.length === 3 && handles.every((h) => h.isRunning()) };
}

/**
 * The RequestAccepted is stored before any deadline is scheduled, so an unknown request
 * at its deadline is one whose events are gone (aged out) or never completed its accept;
 * retry a while in case its submit is being redelivered, then let it go.
 */
function unknownDeadline(logger: Logger, check: { request_id: string; correlation_id: string; data: { agent: string } }, delivery: Delivery) {
  const log = requestLogger(logger, check);
  if (delivery.deliveryCount < UNKNOWN_DEADLINE_RETRIES) return { retryInMs: Math.min(30_000, 500 * 2 ** delivery.deliveryCount) };
  log.warn({ agent: check.data.agent }, "deadline check for a request that was never accepted; dropped");
  return undefined;
}
