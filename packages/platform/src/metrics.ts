// Chorus's own Prometheus series beside the instrumentations' HTTP ones: what recorded
// events say (requests, agents, tokens, webhooks), the messages each consumer dead-letters,
// consumer lag per durable and projector lag read from JetStream on each scrape, and the
// /metrics route that serves them all.
import { metrics, type Counter, type Histogram, type Meter } from "@opentelemetry/api";
import type { ChorusEvent, Topology } from "@chorus/contracts";
import { COUNTERS, HISTOGRAMS, endpointGroup, observationsOf, type CounterName, type HistogramName } from "./metric-observations.ts";
import type { JetStreamManager } from "./nats.ts";
import { runningTelemetry } from "./telemetry.ts";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

type Instruments = { meter: Meter; counters: Record<CounterName, Counter>; histograms: Record<HistogramName, Histogram> };
let instruments: Instruments | undefined;

// The metrics API has no proxy: a meter taken before the SDK registered stays a no-op,
// so instruments are made on first use, after the preload has started the SDK.
function chorusInstruments(): Instruments {
  if (instruments) return instruments;
  const meter = metrics.getMeter("chorus");
  const counters = Object.fromEntries(
    Object.entries(COUNTERS).map(([key, c]) => [key, meter.createCounter(c.name, { description: c.description })]),
  ) as Record<CounterName, Counter>;
  const histograms = Object.fromEntries(
    Object.entries(HISTOGRAMS).map(([key, h]) => [key, meter.createHistogram(h.name, { description: h.description, unit: h.unit, ...("buckets" in h ? { advice: { explicitBucketBoundaries: [...h.buckets] } } : {}) })]),
  ) as Record<HistogramName, Histogram>;
  instruments = { meter, counters, histograms };
  return instruments;
}

/** Counts what one newly recorded event means (called once per stored, non-duplicate event). */
export function recordEventMetrics(event: ChorusEvent): void {
  const { counters, histograms } = chorusInstruments();
  for (const o of observationsOf(event)) {
    if (o.kind === "count") counters[o.metric].add(o.value, o.labels);
    else histograms[o.metric].record(o.value, o.labels);
  }
}

/** Counts one message copied to the dead-letter subject (called once per new copy). */
export function recordDeadLetter(labels: { stream: string; consumer: string }): void {
  chorusInstruments().counters.dead_letters.add(1, labels);
}

/** Observes a webhook's delivery: seconds from its request's end to the attempt the receiver took. */
export function recordWebhookDeliveryLatency(seconds: number, endpoint: string): void {
  chorusInstruments().histograms.webhook_delivery_latency.record(seconds, { endpoint: endpointGroup(endpoint) });
}

/** Counts one write JetStream refused for want of space. */
export function recordStoreRefusal(): void {
  chorusInstruments().counters.store_refusals.add(1);
}

export type LagOptions = {
  jsm: JetStreamManager;
  topology: Topology;
  /** The durable whose time lag is reported as projector lag, if this process projects. */
  projectorDurable?: string;
};

let observingLag = false;
let projectorDurable: string | undefined;

/** Reports, on every scrape, each durable consumer's unprocessed messages on this prefix's streams (once per process). */
export function observeConsumerLag(opts: LagOptions): void {
  // Several services in one process share one meter: the projector's durable is named by
  // whichever of them is the projector, however they are ordered (see runServices).
  if (opts.projectorDurable) projectorDurable = opts.projectorDurable;
  if (observingLag) return;
  observingLag = true;
  const { meter } = chorusInstruments();
  const lag = meter.createObservableGauge("chorus_consumer_lag_messages", {
    description: "Messages a durable consumer has not yet acknowledged (pending + ack pending), by stream and durable",
  });
  const projectorSeconds = meter.createObservableGauge("chorus_projector_lag_seconds", {
    description: "Age of the oldest event the projector has not yet acknowledged; 0 when caught up",
    unit: "s",
  });
  const projectorMessages = meter.createObservableGauge("chorus_projector_lag_messages", {
    description: "Events the projector has not yet acknowledged",
  });
  meter.addBatchObservableCallback(
    async (result) => {
      for (const stream of Object.values(opts.topology.streams)) {
        let consumers;
        try {
          consumers = await opts.jsm.consumers.list(stream).next();
        } catch {
          continue; // NATS unreachable: the readiness probe says so; the scrape still answers.
        }
        for (const c of consumers) {
          if (!c.config.durable_name) continue;
          const behind = c.num_pending + c.num_ack_pending;
          result.observe(lag, behind, { stream, durable: c.config.durable_name });
          if (projectorDurable === undefined || c.config.durable_name !== projectorDurable) continue;
          result.observe(projectorMessages, behind);
          result.observe(projectorSeconds, behind === 0 ? 0 : await oldestAgeSeconds(opts.jsm, stream, c.ack_floor.stream_seq + 1));
        }
      }
    },
    [lag, projectorSeconds, projectorMessages],
  );
}

async function oldestAgeSeconds(jsm: JetStreamManager, stream: string, seq: number): Promise<number> {
  try {
    const m = await jsm.streams.getMessage(stream, { seq });
    return m ? Math.max(0, (Date.now() - m.time.getTime()) / 1000) : 0;
  } catch {
    return 0;
  }
}

/** The /metrics handler: Prometheus text, or 503 when the process started without telemetry. */
export async function prometheusMetrics(): Promise<[number, string, string]> {
  const telemetry = runningTelemetry();
  if (!telemetry) return [503, "text/plain; charset=utf-8", "telemetry not started: run with --import ./packages/platform/src/telemetry-register.ts\n"];
  return [200, PROMETHEUS_CONTENT_TYPE, await telemetry.prometheusText()];
}

/** Routes for the probe server: `probes.serve({ routes: metricsRoutes(), … })`. */
export function metricsRoutes(): Record<string, () => Promise<[number, string, string]>> {
  return { "/metrics": prometheusMetrics };
}
