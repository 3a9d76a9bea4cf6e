// One provider call under a task's deadline: aborted when the deadline passes, and
// keeping the JetStream delivery alive meanwhile so a slow LLM call is not redelivered.
import type { AgentTask } from "@chorus/contracts";
import type { AgentProvider } from "./providers/provider.ts";
import type { ProviderAttempt } from "./run-task.ts";

// setTimeout fires at once for longer delays.
const MAX_TIMER_MS = 2 ** 31 - 1;

export type ProviderCall = { attempt: ProviderAttempt; durationMs: number };

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true });
  });
}

export async function callProvider(
  provider: AgentProvider,
  task: AgentTask,
  keepAlive: { everyMs: number; working: () => void },
): Promise<ProviderCall> {
  const deadline = new AbortController();
  const msLeft = Math.min(MAX_TIMER_MS, Math.max(0, Date.parse(task.data.deadline_at) - Date.now()));
  const deadlineTimer = setTimeout(() => deadline.abort(new Error("the task's deadline passed")), msLeft);
  const heartbeat = setInterval(() => {
    try {
      keepAlive.working();
    } catch {
      // The connection is gone; the server will redeliver after ack_wait, as it should.
    }
  }, keepAlive.everyMs);
  // Neither timer should hold a stopping process open; the NATS connection does that.
  deadlineTimer.unref();
  heartbeat.unref();

  const started = performance.now();
  const elapsed = () => performance.now() - started;
  try {
    const request = { agent: task.data.agent, text: task.data.text, context: task.data.context, signal: deadline.signal };
    // Raced against the deadline so a provider that ignores its signal cannot hold a slot forever.
    const result = await Promise.race([provider.analyze(request), rejectOnAbort(deadline.signal)]);
    return { attempt: { kind: "answered", result }, durationMs: elapsed() };
  } catch (error) {
    if (deadline.signal.aborted) return { attempt: { kind: "timed_out" }, durationMs: elapsed() };
    return { attempt: { kind: "threw", error }, durationMs: elapsed() };
  } finally {
    clearTimeout(deadlineTimer);
    clearInterval(heartbeat);
  }
}
