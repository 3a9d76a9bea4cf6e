// When an agent's run is worth an AgentStarted of its own: only when it is still going a
// moment after it began. Most runs end sooner, and their outcome says when they began
// (`started_at`), so recording their start too would cost an acknowledged write on every
// request for nothing a reader needs. A start that is recorded is stored before the run's
// result is handed back, so the outcome published after it comes after it in the stream.

/** How long a run goes before its start is recorded, ms (AGENT_STARTED_AFTER_MS); 0 records every start. */
export const DEFAULT_STARTED_AFTER_MS = 250;

export type SlowStartOptions = {
  /** How long the run may go before its start is recorded; 0: recorded as the run begins. */
  afterMs: number;
  /** Stores the start; `startedAt` is when the run began (ISO). Called at most once. */
  recordStart: (startedAt: string) => Promise<unknown>;
};

export type RunWithStart<T> = { result: T; startedAt: string };

/**
 * Runs `run`, recording its start only if it is still going `afterMs` after it began.
 * Resolves once the run has ended and the start, if one was recorded, is stored. Rejects
 * with the recording's error if storing the start failed, as the handling of a task fails
 * when any of its writes does: its outcome is then not published after a missing start.
 */
export async function runRecordingSlowStart<T>(run: () => Promise<T>, options: SlowStartOptions): Promise<RunWithStart<T>> {
  const startedAt = new Date().toISOString();
  let recorded: Promise<unknown> | undefined;
  const record = () => {
    // Async, so that a recorder that throws rejects here instead of throwing out of a timer.
    recorded = (async () => options.recordStart(startedAt))();
    recorded.catch(() => undefined); // awaited below; this only keeps a failure from going unhandled meanwhile
  };
  const timer = options.afterMs > 0 ? setTimeout(record, options.afterMs) : undefined;
  if (timer === undefined) record();
  try {
    return { result: await run(), startedAt };
  } finally {
    // A run that ended has had its continuation run before any timer could fire: no start after its end.
    clearTimeout(timer);
    if (recorded) await recorded;
  }
}
