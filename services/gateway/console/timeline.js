// The agent runs of a request, laid out in time from its events: for each agent, when it
// was dispatched, started and ended, as fractions of the request's span, so parallel runs
// overlap on the chart and sequential ones follow each other. Pure: events in, rows out.

const STEP_TYPES = new Set(["AgentDispatched", "AgentStarted", "AgentCompleted", "AgentFailed"]);
const END_TYPES = new Set(["RequestCompleted", "RequestFailed"]);

/**
 * `events`: the request's public events (SSE `data`), in stream order. A run is dispatched
 * by its AgentDispatched or, for a parallel accept of version 2, by the accept itself. `now`: the time
 * (ms) an unfinished run is drawn up to. A run redelivered to an agent keeps its first
 * dispatch and its latest start; its end is the last one recorded. A start is an
 * AgentStarted's instant or, for a quick run that recorded none, its outcome's
 * `started_at` (the same instant when both exist).
 */
export function layoutTimeline(events, now) {
  const accepted = events.find((e) => e.type === "RequestAccepted");
  const end = events.find((e) => END_TYPES.has(e.type));
  const runs = new Map();
  // A parallel accept of version 2 is its agents' dispatch: no AgentDispatched follows.
  if (accepted && accepted.version === 2 && accepted.data?.dispatch && Array.isArray(accepted.data.agents)) {
    const at = Date.parse(accepted.occurred_at);
    for (const agent of accepted.data.agents) runs.set(agent, { agent, dispatchedAt: at, startedAt: null, endedAt: null, status: "pending", durationMs: null });
  }
  for (const event of events) {
    if (!STEP_TYPES.has(event.type)) continue;
    const agent = event.data?.agent;
    if (typeof agent !== "string") continue;
    const at = Date.parse(event.occurred_at);
    const run = runs.get(agent) ?? { agent, dispatchedAt: null, startedAt: null, endedAt: null, status: "pending", durationMs: null };
    if (event.type === "AgentDispatched") run.dispatchedAt ??= at;
    else if (event.type === "AgentStarted") {
      run.startedAt = at;
      run.status = "running";
    } else {
      run.endedAt = at;
      run.status = event.type === "AgentCompleted" ? "completed" : "failed";
      run.durationMs = typeof event.data.duration_ms === "number" ? event.data.duration_ms : null;
      const runStart = typeof event.data.started_at === "string" ? Date.parse(event.data.started_at) : NaN;
      if (!Number.isNaN(runStart) && (run.startedAt === null || runStart > run.startedAt)) run.startedAt = runStart;
    }
    runs.set(agent, run);
  }
  const order = Array.isArray(accepted?.data?.agents) ? accepted.data.agents : [];
  const list = [...runs.values()].sort((a, b) => rank(order, a.agent) - rank(order, b.agent) || (a.dispatchedAt ?? 0) - (b.dispatchedAt ?? 0));
  const times = list.flatMap((r) => [r.dispatchedAt, r.startedAt, r.endedAt]).filter((t) => t !== null);
  const from = accepted ? Date.parse(accepted.occurred_at) : Math.min(now, ...times);
  const to = Math.max(from + 1, end ? Date.parse(end.occurred_at) : now, ...times);
  const span = to - from;
  const at = (t) => (t - from) / span;
  const rows = list.map((run) => {
    const begin = run.startedAt ?? run.dispatchedAt ?? from;
    const finish = run.endedAt ?? (run.status === "pending" ? begin : now);
    return {
      ...run,
      waiting: run.dispatchedAt !== null ? { from: at(run.dispatchedAt), to: at(run.startedAt ?? run.endedAt ?? now) } : null,
      running: run.startedAt !== null ? { from: at(run.startedAt), to: at(Math.max(run.startedAt, finish)) } : null,
    };
  });
  return { from, to, spanMs: span, rows, overlapping: overlaps(rows), ended: end !== undefined };
}

function rank(order, agent) {
  const i = order.indexOf(agent);
  return i === -1 ? order.length : i;
}

/** Whether any two runs were running at once: what tells a parallel request's chart from a sequential one's. */
function overlaps(rows) {
  const spans = rows.filter((r) => r.running).map((r) => r.running);
  return spans.some((a, i) => spans.some((b, j) => j > i && a.from < b.to && b.from < a.to));
}
