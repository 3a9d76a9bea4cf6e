// The benchmark's results as data, and as the markdown table `npm run bench` prints and
// writes to bench/results/latest.md. Pure.
import type { HttpCeiling } from "../ceilings/http-echo.ts";
import type { PublishCeiling } from "../ceilings/jetstream.ts";
import type { LlmBoundPoint } from "../chorus/llm-bound.ts";
import type { PointResult } from "../chorus/measure.ts";
import type { WebhookPoint } from "../chorus/webhook-delivery.ts";
import type { ScenarioResult } from "../chorus/scenario.ts";
import type { Machine } from "./machine.ts";
import { STAGES } from "./stages.ts";
import type { Distribution } from "./stats.ts";

export type PeerPoint = { concurrency: number; throughput: number; latencyMs: Distribution; failed: number };
export type PeerResult = { name: string; points: PeerPoint[]; note?: string } | { name: string; skipped: string };

export type AlternatedRound = { chorus: number; peer: number; ratio: number };
export type AlternatedPeak = { concurrency: number; secondsPerTurn: number; rounds: AlternatedRound[]; medianRatio: number } | { skipped: string };

export type Budget = { messagesPerRequest: number; eventBudgetRps: number; chorusPeakRps: number; ratio: number };

export type BenchResults = {
  startedAt: string;
  durationS: number;
  machine: Machine;
  settings: Record<string, unknown>;
  ceilings: { jetstream: PublishCeiling; http: HttpCeiling };
  scenarios: ScenarioResult[];
  modes: PointResult[];
  /** Model-bound requests on the agents' default settings (absent in results written before it existed). */
  llmBound?: LlmBoundPoint[];
  /** Webhook deliveries to a fast receiver, alone and beside a slow one (absent in results written before it existed). */
  webhooks?: WebhookPoint[];
  budget: Budget;
  peer: PeerResult;
  /** Chorus and the peer at c=64 in alternating turns (absent in results written before it existed). */
  alternated?: AlternatedPeak;
  notes: string[];
};

const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : "–");
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "–");
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "–");
const pct = (n: number) => (Number.isFinite(n) ? `${(n * 100).toFixed(1)}%` : "–");

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

function loadLabel(p: PointResult): string {
  return p.loop === "closed" ? `closed c=${p.load}` : `open ${p.load}/s`;
}

export type Target = { what: string; goal: string; measured: string; ratio: number; met: boolean };

/** The performance issue's targets (#13), each measured against its goal: ratio ≥ 1 means met. */
export function targets(r: BenchResults): Target[] {
  const bench = r.scenarios.find((s) => s.name === "bench");
  const local = r.scenarios.find((s) => s.name === "local");
  const halfPeak = bench?.points.find((p) => p.loop === "open");
  const overhead = halfPeak?.overheadMs;
  const parallel300 = r.modes.find((p) => p.mode === "parallel");
  const peerPeak = "skipped" in r.peer ? NaN : Math.max(...r.peer.points.map((p) => p.throughput));
  const rows: Target[] = [
    { what: "throughput with instant agents / event-budget ceiling", goal: "≥ 50%", measured: pct(r.budget.ratio), ratio: r.budget.ratio / 0.5, met: r.budget.ratio >= 0.5 },
    {
      what: "throughput / BullMQ peer (peak against peak; the aim stays 1.0×)",
      goal: "≥ 0.5×",
      measured: `${f1(r.budget.chorusPeakRps)} / ${f1(peerPeak)} req/s = ${f2(r.budget.chorusPeakRps / peerPeak)}×`,
      ratio: r.budget.chorusPeakRps / peerPeak / 0.5,
      met: r.budget.chorusPeakRps >= 0.5 * peerPeak,
    },
  ];
  if (r.alternated && !("skipped" in r.alternated)) {
    const a = r.alternated;
    rows.push({
      what: `throughput / BullMQ peer, c=${a.concurrency} in alternating ${a.secondsPerTurn} s turns (median of ${a.rounds.length} rounds)`,
      goal: "≥ 0.5×",
      measured: a.rounds.map((round) => `${f1(round.chorus)} / ${f1(round.peer)}`).join(", ") + ` req/s → ${f2(a.medianRatio)}×`,
      ratio: a.medianRatio / 0.5,
      met: a.medianRatio >= 0.5,
    });
  }
  if (local) {
    const peak = local.peakThroughput;
    rows.push({ what: "offline (local) provider, peak", goal: "≥ 200 req/s", measured: `${f1(peak)} req/s`, ratio: peak / 200, met: peak >= 200 });
  }
  const llm = r.llmBound?.find((p) => p.clients === 50);
  if (llm) {
    rows.push(
      { what: `model-bound, ${llm.modelLatencyMs} ms model, 50 clients, default settings: throughput`, goal: "≥ 25 req/s", measured: `${f1(llm.completedPerSecond)} req/s`, ratio: llm.completedPerSecond / 25, met: llm.completedPerSecond >= 25 },
      { what: `model-bound, ${llm.modelLatencyMs} ms model, 50 clients, default settings: p50`, goal: "≤ 2 s", measured: `${f0(llm.latencyMs.p50)} ms`, ratio: 2_000 / llm.latencyMs.p50, met: llm.latencyMs.p50 <= 2_000 },
    );
  }
  if (overhead && halfPeak) {
    rows.push(
      { what: `orchestration overhead p50 at half of peak (${halfPeak.load}/s)`, goal: "≤ 5 ms", measured: `${f1(overhead.p50)} ms`, ratio: 5 / overhead.p50, met: overhead.p50 <= 5 },
      { what: `orchestration overhead p99 at half of peak (${halfPeak.load}/s)`, goal: "≤ 25 ms", measured: `${f1(overhead.p99)} ms`, ratio: 25 / overhead.p99, met: overhead.p99 <= 25 },
    );
  }
  if (parallel300) {
    const p50 = parallel300.latencyMs.p50;
    rows.push({ what: "parallel mode, 300 ms agents, p50", goal: "≤ 330 ms", measured: `${f0(p50)} ms`, ratio: 330 / p50, met: p50 <= 330 });
  }
  return rows;
}

export function renderReport(r: BenchResults): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(`# Chorus benchmark — ${r.startedAt} (whole run ${f0(r.durationS)} s)`);
  out.push(table(["CPU", "cores", "RAM", "Node", "NATS server", "platform", "load avg (1 min) at start"], [[m.cpu, String(m.cores), `${m.ramGiB} GiB`, m.node, m.natsServer, m.platform, f2(m.loadAtStart)]]));

  out.push("## Targets (issue #13; ratio = how far toward the goal, 1.00 = met)");
  out.push(table(["target", "goal", "measured", "ratio", "met"], targets(r).map((t) => [t.what, t.goal, t.measured, f2(t.ratio), t.met ? "yes" : "no"])));

  out.push("## Ceilings measured now");
  out.push(
    table(
      ["what", "figure"],
      [
        [`JetStream publish, ${r.ceilings.jetstream.sizeBytes} B, file storage, ${r.ceilings.jetstream.inFlight} in flight`, `${f0(r.ceilings.jetstream.msgsPerSecond)} msgs/s`],
        [`node:http POST echo (autocannon -c ${r.ceilings.http.connections}, ${r.ceilings.http.durationS} s)`, `${f0(r.ceilings.http.reqPerSecond)} req/s, p50 ${f1(r.ceilings.http.latencyP50Ms)} ms, p99 ${f1(r.ceilings.http.latencyP99Ms)} ms`],
      ],
    ),
  );

  out.push("## Chorus end to end (waiting POST /api/v1/process, parallel, 3 agents)");
  const all = [...r.scenarios.flatMap((s) => s.points.map((p) => ({ s: s.name, p }))), ...r.modes.map((p) => ({ s: "openai 300ms", p }))];
  out.push(
    table(
      ["provider", "mode", "load", "sent", "failed", "completed req/s", "p50 ms", "p90 ms", "p99 ms", "msgs/req", "events in stream at start"],
      all.map(({ s, p }) => [
        s,
        p.mode,
        loadLabel(p),
        String(p.sent),
        String(p.failed + p.dropped),
        f1(p.throughput),
        f0(p.latencyMs.p50),
        f0(p.latencyMs.p90),
        f0(p.latencyMs.p99),
        f1(p.messages.perRequest),
        String(p.eventsInStreamAtStart),
      ]),
    ),
  );

  const failing = all.filter(({ p }) => p.failed > 0);
  if (failing.length) out.push(`Failures: ${failing.map(({ s, p }) => `${s} ${loadLabel(p)}: ${JSON.stringify(p.failures)}`).join("; ")}`);

  out.push("## Where the time goes (parallel; critical path = the agent that finished last; p50 / p90 ms)");
  out.push(
    table(
      ["provider", "load", ...STAGES, "total", "projection lag p50 / p99", "projector drain after load"],
      r.scenarios.flatMap((s) =>
        s.points.map((p) => [
          s.name,
          loadLabel(p),
          ...STAGES.map((st) => (p.stagesMs ? `${f1(p.stagesMs[st].p50)} / ${f1(p.stagesMs[st].p90)}` : "–")),
          `${f0(p.latencyMs.p50)} / ${f0(p.latencyMs.p90)}`,
          `${f0(p.projectionLagMs.p50)} / ${f0(p.projectionLagMs.p99)}`,
          `${f0(p.projectorDrainMs)} ms`,
        ]),
      ),
    ),
  );

  out.push("## CPU time per completed request, by process (ms; over each load point, from /proc)");
  const cpuPoints = r.scenarios.flatMap((s) => s.points.filter((p) => Object.keys(p.cpuMsPerRequest ?? {}).length > 0).map((p) => ({ s: s.name, p })));
  const processes = [...new Set(cpuPoints.flatMap(({ p }) => Object.keys(p.cpuMsPerRequest)))];
  out.push(
    table(
      ["provider", "load", ...processes, "total"],
      cpuPoints.map(({ s, p }) => [s, loadLabel(p), ...processes.map((n) => f2(p.cpuMsPerRequest[n] ?? NaN)), f2(Object.values(p.cpuMsPerRequest).reduce((a, b) => a + b, 0))]),
    ),
  );

  const first = r.scenarios[0]?.points[0];
  out.push("## JetStream budget");
  out.push(
    table(
      ["messages per request (events + commands + tasks)", "JetStream publish ceiling", "event-budget ceiling", "Chorus peak (bench provider)", "Chorus / ceiling"],
      [
        [
          first ? `${f1(r.budget.messagesPerRequest)} (${f1(first.messages.perRequestByStream.events)} + ${f1(first.messages.perRequestByStream.commands)} + ${f1(first.messages.perRequestByStream.tasks)})` : "–",
          `${f0(r.ceilings.jetstream.msgsPerSecond)} msgs/s`,
          `${f0(r.budget.eventBudgetRps)} req/s`,
          `${f1(r.budget.chorusPeakRps)} req/s`,
          pct(r.budget.ratio),
        ],
      ],
    ),
  );

  out.push(`## Peer: ${r.peer.name}`);
  if ("skipped" in r.peer) {
    out.push(`Not run: ${r.peer.skipped}`);
  } else {
    const chorus = r.scenarios.find((s) => s.name === "bench");
    out.push(
      table(
        ["concurrency", "peer req/s", "peer p50 / p99 ms", "Chorus (bench) req/s", "Chorus / peer"],
        r.peer.points.map((pp) => {
          const c = chorus?.points.find((p) => p.loop === "closed" && p.load === pp.concurrency);
          return [String(pp.concurrency), f1(pp.throughput), `${f1(pp.latencyMs.p50)} / ${f1(pp.latencyMs.p99)}`, f1(c?.throughput ?? NaN), f2((c?.throughput ?? NaN) / pp.throughput)];
        }),
      ),
    );
    if (r.peer.note) out.push(r.peer.note);
  }
  if (r.alternated) {
    out.push("### Peak against the peer in alternating turns");
    if ("skipped" in r.alternated) {
      out.push(`Not run: ${r.alternated.skipped}`);
    } else {
      const a = r.alternated;
      out.push(
        `First in the run, on a fresh cluster (no earlier request's deadline check comes due during the rounds), Chorus (bench provider) and the peer at c=${a.concurrency}, ${a.secondsPerTurn} s each, one after the other, who goes first alternating: the machine's drift between phases minutes apart does not enter the ratio.`,
      );
      out.push(table(["round", "Chorus req/s", "peer req/s", "Chorus / peer"], a.rounds.map((round, i) => [String(i + 1), f1(round.chorus), f1(round.peer), f2(round.ratio)])));
    }
  }

  out.push("## Parallel vs sequential, agents of a fixed 300 ms (openai provider, scripted server answering after 300 ms)");
  out.push(table(["mode", "load", "p50 ms", "p90 ms", "p99 ms"], r.modes.map((p) => [p.mode, loadLabel(p), f0(p.latencyMs.p50), f0(p.latencyMs.p90), f0(p.latencyMs.p99)])));

  if (r.llmBound?.length) {
    const first = r.llmBound[0] as LlmBoundPoint;
    out.push(`## Model-bound requests on default settings (openai provider, scripted server answering every call after ${first.modelLatencyMs} ms; waiting POSTs, parallel)`);
    out.push(
      table(
        ["clients", "completed req/s", "p50 / p90 / p99 ms", "other answers", "model calls in flight, peak", "agents' process RSS idle → peak MiB", "agents' process KiB per call in flight"],
        r.llmBound.map((p) => [
          String(p.clients),
          f1(p.completedPerSecond),
          `${f0(p.latencyMs.p50)} / ${f0(p.latencyMs.p90)} / ${f0(p.latencyMs.p99)}`,
          Object.entries(p.failures).map(([k, v]) => `${k}: ${v}`).join(", ") || "none",
          String(p.peakModelCallsInFlight),
          `${f0(p.agentsRssMiB.idle)} → ${f0(p.agentsRssMiB.peak)}`,
          f0(p.agentsKiBPerCallInFlight),
        ]),
      ),
    );
  }

  if (r.webhooks?.length) {
    out.push("## Webhook deliveries to a fast receiver (webhooks service on its defaults, in the bench process)");
    out.push(
      table(
        ["slow neighbour", "fast deliveries", "delivered", "deliveries/s", "publish → arrival p50 / p95 / max ms"],
        r.webhooks.map((p) => [
          p.slow ? `${p.slow} deliveries answered after ${f1(p.slowDelayMs / 1000)} s, queued first` : "none",
          String(p.fast),
          String(p.delivered),
          f0(p.perSecond),
          `${f0(p.latencyMs.p50)} / ${f0(p.latencyMs.p95)} / ${f0(p.latencyMs.max)}`,
        ]),
      ),
    );
  }

  out.push("## Resident memory (VmRSS, MiB)");
  const names = [...new Set(r.scenarios.flatMap((s) => Object.keys(s.rssIdleMiB)))];
  out.push(
    table(
      ["process", ...r.scenarios.flatMap((s) => [`${s.name} idle`, `${s.name} peak`])],
      names.map((n) => [n, ...r.scenarios.flatMap((s) => [f0(s.rssIdleMiB[n] ?? NaN), f0(s.rssPeakMiB[n] ?? NaN)])]),
    ),
  );
  if (r.notes.length) out.push(`## Notes\n${r.notes.map((n) => `- ${n}`).join("\n")}`);
  return `${out.join("\n\n")}\n`;
}
