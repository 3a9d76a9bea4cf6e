// The webhook noisy-neighbour experiment: `--slow` deliveries to a receiver that answers
// after `--delay` ms, then `--fast` deliveries to one that answers at once; prints how long
// the fast ones took from publish to arrival, and their rate. The webhooks service runs
// in-process on its defaults (see chorus/webhook-delivery.ts); `npm run bench` runs it as
// its webhook phase.
// `--batch 1` publishes the ends one by one (each awaited), as the experiment first did.
//   node bench/webhook-isolation.ts [--slow 60] [--fast 20] [--delay 9000] [--batch 200]
import { parseArgs } from "node:util";
import { webhookPoint } from "./chorus/webhook-delivery.ts";

const { values: args } = parseArgs({ options: { slow: { type: "string", default: "60" }, fast: { type: "string", default: "20" }, delay: { type: "string", default: "9000" }, batch: { type: "string", default: "200" } } });

const p = await webhookPoint({ fast: Number(args.fast), slow: Number(args.slow), slowDelayMs: Number(args.delay), publishBatch: Number(args.batch) });
console.log(
  `${p.slow} deliveries to a receiver answering after ${p.slowDelayMs} ms, then ${p.fast} to a fast one: fast delivered ${p.delivered}/${p.fast}, ` +
    `${p.perSecond.toFixed(0)} deliveries/s, publish → arrival p50 ${p.latencyMs.p50} ms, p95 ${p.latencyMs.p95} ms, max ${p.latencyMs.max} ms`,
);
process.exit(0);
