// The orchestrator's I/O shell: five durable consumers (accepted requests, submit commands
// of an earlier version, agent deadlines, agent completions, agent failures) feeding one
// input handler. No state of its own beyond its loader's cache of facts known to be
// stored: any number of replicas share the durables; message ids and the state check
// keep work single.
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { AgentCompleted, AgentFailed, CheckAgentDeadline, deadlineAgents, RequestAccepted, SubmitRequest, type CommandOf } from "@chorus/contracts";
import {
  DEFAULT_STREAM_LIMITS,
  requestLogger,
  runConsumer,
  startConsumerGroup,
  type ConsumerGroup,
  type Delivery,
  type DurableSpec,
  type HandleResult,
  type Logger,
  type StreamClients,
} from "@chorus/platform";
import { ensureOrchestratorDurables, MAX_DELIVER } from "./durables.ts";
import { handleInput, type HandleDeps } from "./handle.ts";
import { lastBySubjectLoader, type RequestLoader } from "./load-request.ts";
import { msUntilDeadline } from "./request/index.ts";

type Handler<T> = (message: T, delivery: Delivery) => Promise<HandleResult>;

export type OrchestratorDeps = StreamClients & {
  agentTimeoutMs: number;
  /** Handlers running at once, per consumer, in this process. */
  concurrency: number;
  clock?: () => Date;
  newId?: () => string;
  /** How request state is loaded; by default the last event of each subject, with the facts this process has seen stored. */
  requests?: RequestLoader;
  /** JetStream's duplicate window (NATS_DUPLICATE_WINDOW_MS): fresh accepts are decided without reads within half of it. */
  duplicateWindowMs?: number;
};

/** Stops pulling and waits for in-flight handlers (the caller drains the connection after); running while every consumer pulls. */
export type Orchestrator = ConsumerGroup;

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
  const handleDeps: HandleDeps = {
    js,
    topology: t,
    requests: deps.requests ?? lastBySubjectLoader(jsm, t),
    clock,
    newId: deps.newId ?? randomUUID,
    agentTimeoutMs: deps.agentTimeoutMs,
    freshAcceptMs: (deps.duplicateWindowMs ?? DEFAULT_STREAM_LIMITS.duplicateWindowMs) / 2,
    logger,
  };
  const consumer = <S extends z.ZodType>(spec: DurableSpec, schema: S, maxDeliver: number, handle: Handler<z.infer<S>>) => () =>
    runConsumer({ js, topology: t, logger, concurrency: deps.concurrency, stream: spec.stream, durable: spec.durable, schema, maxDeliver, handle });

  // One durable per agent outcome: the orchestrator decides on outcomes only, and a single
  // filter (NATS 2.9) over all agent events would hand it the dispatches and starts too.
  const onAgentOutcome: Handler<z.infer<typeof AgentCompleted> | z.infer<typeof AgentFailed>> = async (event, delivery) => {
    const outcome = await handleInput(handleDeps, event, { redelivered: delivery.handledBefore, seq: delivery.seq });
    if (outcome === "unknown_request") throw new UnknownRequestError(`${event.type} for request ${event.request_id}, which was never accepted`);
  };

  return startConsumerGroup([
    consumer(specs.accepted, RequestAccepted, MAX_DELIVER, async (event, delivery) => {
      await handleInput(handleDeps, event, { redelivered: delivery.handledBefore, seq: delivery.seq });
    }),
    consumer(specs.commands, SubmitRequest, MAX_DELIVER, async (command, delivery) => {
      await handleInput(handleDeps, command, { redelivered: delivery.handledBefore });
    }),
    consumer(specs.deadlines, CheckAgentDeadline, Infinity, async (check, delivery) => {
      // Not due yet: come back at the deadline. No state is loaded for this.
      const wait = msUntilDeadline(check, clock());
      if (wait > 0) return { retryInMs: wait };
      const outcome = await handleInput(handleDeps, check, { redelivered: delivery.handledBefore });
      if (outcome === "unknown_request") return unknownDeadline(logger, check, delivery);
    }),
    consumer(specs.agentCompleted, AgentCompleted, MAX_DELIVER, onAgentOutcome),
    consumer(specs.agentFailed, AgentFailed, MAX_DELIVER, onAgentOutcome),
  ]);
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
