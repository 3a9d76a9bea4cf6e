// Load generators over any async call: a closed loop (N callers, each sends when its
// previous answer is back) and an open loop (arrivals at a fixed rate, whether or not
// earlier ones have finished, so a slow system cannot slow its own load down).

/** `failure` says why a call did not count: "HTTP 503", "202 processing", an error message. */
export type CallOutcome = { ok: boolean; requestId?: string; failure?: string };

export type Sample = CallOutcome & { submittedAt: number; respondedAt: number };

export type LoadResult = {
  samples: Sample[];
  windowMs: number;
  /** Successful answers received inside the window. */
  completedInWindow: number;
  /** Requests sent (successful or not). */
  sent: number;
  /** Open loop only: arrivals not sent because `maxInFlight` was reached. */
  dropped: number;
};

export type Call = () => Promise<CallOutcome>;

async function timed(call: Call, submittedAt: number): Promise<Sample> {
  try {
    const outcome = await call();
    return { ...outcome, submittedAt, respondedAt: Date.now() };
  } catch (err) {
    return { ok: false, failure: err instanceof Error ? err.message : String(err), submittedAt, respondedAt: Date.now() };
  }
}

function summarize(samples: Sample[], start: number, windowMs: number, dropped: number): LoadResult {
  const end = start + windowMs;
  return { samples, windowMs, completedInWindow: samples.filter((s) => s.ok && s.respondedAt <= end).length, sent: samples.length, dropped };
}

export async function closedLoop(call: Call, concurrency: number, durationMs: number): Promise<LoadResult> {
  const start = Date.now();
  const end = start + durationMs;
  const samples: Sample[] = [];
  const caller = async () => {
    while (Date.now() < end) samples.push(await timed(call, Date.now()));
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  return summarize(samples, start, durationMs, 0);
}

export async function openLoop(call: Call, ratePerSecond: number, durationMs: number, maxInFlight = 2_000): Promise<LoadResult> {
  const start = Date.now();
  const total = Math.floor((ratePerSecond * durationMs) / 1000);
  const samples: Sample[] = [];
  const inFlight = new Set<Promise<void>>();
  let dropped = 0;
  for (let i = 0; i < total; i++) {
    // Latency counts from when the request was due, not when the loop got round to it.
    const due = start + (i * 1000) / ratePerSecond;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (inFlight.size >= maxInFlight) {
      dropped += 1;
      continue;
    }
    const p: Promise<void> = timed(call, due).then((s) => {
      samples.push(s);
      inFlight.delete(p);
    });
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  return summarize(samples, start, durationMs, dropped);
}
