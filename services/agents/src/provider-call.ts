// One provider call under a deadline: aborted when the deadline passes, and (for a
// task) keeping the JetStream delivery alive meanwhile so a slow LLM call is not
// redelivered. The task consumer and gRPC Agent.Analyze both call the provider here.
import type { AgentId, AgentTask } from "@chorus/contracts";
import { llmCallSpan } from "@chorus/platform";
import type { AgentContext, AgentProvider } from "./providers/provider.ts";
import type { ProviderAttempt } from "./task-outcome.ts";

// setTimeout fires at once for longer delays.
const MAX_TIMER_MS = 2 ** 31 - 1;

export type ProviderCall = { attempt: ProviderAttempt; durationMs: number };

export type CallInput = { agent: AgentId; text: string; context: AgentContext };

export type CallOptions = {
  /** Epoch ms at which the call is abandoned. */
  deadlineMs: number;
  /** Called every `everyMs` while the call runs. */
  keepAlive?: { everyMs: number; working: () => void };
  /** Aborts the call early (a gRPC client that went away). */
  cancel?: AbortSignal;
};

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true });
  });
}

export async function callProviderUntil(provider: AgentProvider, input: CallInput, options: CallOptions): Promise<ProviderCall> {
  const deadline = new AbortController();
  const msLeft = Math.min(MAX_TIMER_MS, Math.max(0, options.deadlineMs - Date.now()));
  const deadlineTimer = setTimeout(() => deadline.abort(new Error("the deadline passed")), msLeft);
  const keepAlive = options.keepAlive;
  const heartbeat = keepAlive
    ? setInterval(() => {
        try {
          keepAlive.working();
        } catch {
          // The connection is gone; the server will redeliver after ack_wait, as it should.
        }
      }, keepAlive.everyMs)
    : undefined;
  // Neither timer should hold a stopping process open; the NATS connection does that.
  deadlineTimer.unref();
  heartbeat?.unref();
  const signal = options.cancel ? AbortSignal.any([deadline.signal, options.cancel]) : deadline.signal;

  const started = performance.now();
  const elapsed = () => performance.now() - started;
  try {
    const request = { ...input, signal };
    // Raced against the deadline so a provider that ignores its signal cannot hold a slot forever.
    const call = llmCallSpan({ provider: provider.name, model: provider.modelFor(input.agent), agent: input.agent }, () => provider.analyze(request));
    const result = await Promise.race([call, rejectOnAbort(signal)]);
    return { attempt: { kind: "answered", result }, durationMs: elapsed() };
  } catch (error) {
    if (deadline.signal.aborted) return { attempt: { kind: "timed_out" }, durationMs: elapsed() };
    return { attempt: { kind: "threw", error }, durationMs: elapsed() };
  } finally {
    clearTimeout(deadlineTimer);
    if (heartbeat) clearInterval(heartbeat);
  }
}

/** A task's call: until its deadline, heartbeating its delivery. */
export function callProvider(provider: AgentProvider, task: AgentTask, keepAlive: { everyMs: number; working: () => void }): Promise<ProviderCall> {
  return callProviderUntil(
    provider,
    { agent: task.data.agent, text: task.data.text, context: task.data.context },
    { deadlineMs: Date.parse(task.data.deadline_at), keepAlive },
  );
}
