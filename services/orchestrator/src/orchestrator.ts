// The orchestrator's I/O shell: five durable consumers (accepted requests, submit commands
// of an earlier version, agent deadlines, agent completions, agent failures) feeding one
// input handler. No state of its own beyond
// a cache of facts known to be stored: any number of replicas share the durables; message
// ids and the state check keep work single.
import { randomUUID } from "node:crypto";
import { AgentCompleted, AgentFailed, CheckAgentDeadline, deadlineAgents, RequestAccepted, SubmitRequest, type CommandOf, type Topology } from "@chorus/contracts";
import { requestLogger, runConsumer, type ConsumerHandle, type Delivery, type JetStreamClient, type JetStreamManager, type Logger } from "@chorus/platform";
import { DURABLES, ensureOrchestratorDurables, MAX_DELIVER } from "./consumers.ts";
import { handleInput, type HandleDeps } from "./handle.ts";
import { knownFacts, type KnownFacts } from "./known-facts.ts";
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
  /** Facts this process has seen stored; shared with `loadRequest` when that is given. */
  facts?: KnownFacts;
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


/** A deadline check for a request the stream does not know is retried this often before it is dropped. */
const UNKNOWN_DEADLINE_RETRIES = 10;

export async function startOrchestrator(deps: OrchestratorDeps): Promise<Orchestrator> {
  const { js, jsm, topology: t, logger } = deps;
  const specs = await ensureOrchestratorDurables(jsm, t);

  const clock = deps.clock ?? (() => new Date());
  const facts = deps.facts ?? knownFacts();
  const handleDeps: HandleDeps = {
    js,
    topology: t,
    load: deps.loadRequest ?? lastBySubjectLoader(jsm, t, facts),
    facts,
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
        stream: specs.accepted.stream,
        durable: DURABLES.accepted,
        schema: RequestAccepted,
        maxDeliver: MAX_DELIVER,
        handle: async (event, delivery) => {
          await handleInput(handleDeps, event, { redelivered: delivery.handledBefore, seq: delivery.seq });
        },
      }),
    );
    handles.push(
      await runConsumer({
        ...common,
        stream: specs.commands.stream,
        durable: DURABLES.commands,
        schema: SubmitRequest,
        maxDeliver: MAX_DELIVER,
        handle: async (command, delivery) => {
          await handleInput(handleDeps, command, { redelivered: delivery.handledBefore });
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
          const outcome = await handleInput(handleDeps, check, { redelivered: delivery.handledBefore });
          if (outcome === "unknown_request") return unknownDeadline(logger, check, delivery);
        },
      }),
    );
    // One durable per outcome: the orchestrator decides on outcomes only, and a single
    // filter (NATS 2.9) over all agent events would hand it the dispatches and starts too.
    for (const [spec, schema] of [
      [specs.agentCompleted, AgentCompleted],
      [specs.agentFailed, AgentFailed],
    ] as const) {
      handles.push(
        await runConsumer({
          ...common,
          stream: spec.stream,
          durable: spec.durable,
          schema,
          maxDeliver: MAX_DELIVER,
          handle: async (event, delivery) => {
            const outcome = await handleInput(handleDeps, event, { redelivered: delivery.handledBefore, seq: delivery.seq });
            if (outcome === "unknown_request") throw new UnknownRequestError(`${event.type} for request ${event.request_id}, which was never accepted`);
          },
        }),
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return { stop, isRunning: () => handles.length === 5 && handles.every((h) => h.isRunning()) };
}

/**
 * The RequestAccepted is stored before any deadline is scheduled, so an unknown request
 * at its deadline is one whose events are gone (aged out) or never completed its accept;
 * retry a while in case its submit is being redelivered, then let it go.
 */
function unknownDeadline(logger: Logger, check: CommandOf<"CheckAgentDeadline">, delivery: Delivery) {
  const log = requestLogger(logger, check);
  if (delivery.deliveryCount < UNKNOWN_DEADLINE_RETRIES) return { retryInMs: Math.min(30_000, 500 * 2 ** delivery.deliveryCount) };
  log.warn({ agents: deadlineAgents(check) }, "deadline check for a request that was never accepted; dropped");
  return undefined;
}
