// Checks the provider on a fixed cadence and writes the outcome to the provider-health KV
// bucket, so the gateway's /api/v1/health shows whether the agents' provider answers
// without a provider call per probe. The provider's own check is cached for as long.
import { Kvm, type KV } from "@nats-io/kv";
import { PROVIDER_HEALTH_KEY, ProviderHealthReport, providerHealthBucket, type AgentId, type Topology } from "@chorus/contracts";
import { sleep, type JetStreamClient, type Logger } from "@chorus/platform";
import type { AgentProvider } from "../providers/provider.ts";
import { providerHealthReport } from "./report.ts";

export type ProviderHealthDeps = {
  js: JetStreamClient;
  topology: Topology;
  provider: AgentProvider;
  agents: readonly AgentId[];
  /** Names this replica in the report. */
  instance: string;
  intervalMs: number;
  logger: Logger;
  now?: () => number;
};

export type ProviderHealthReporter = {
  stop(): Promise<void>;
};

/**
 * Reports at once, then every `intervalMs` until stopped. A failed write (the bucket
 * cannot be created, NATS is away) is logged and tried again at the next turn: tasks do
 * not depend on it, and a missing report is what the gateway then shows.
 */
export function startProviderHealthReports(deps: ProviderHealthDeps): ProviderHealthReporter {
  const { provider, logger } = deps;
  const now = deps.now ?? Date.now;
  let kv: KV | undefined;
  // In memory: the report is rewritten every interval, so a NATS restart loses nothing worth keeping.
  const openBucket = async () => (kv ??= await new Kvm(deps.js).create(providerHealthBucket(deps.topology), { history: 1, storage: "memory" }));
  const models = Object.fromEntries(deps.agents.map((a) => [a, provider.modelFor(a)]));
  const stopped = new AbortController();
  let lastFailure: string | null | undefined;

  const reportOnce = async () => {
    const failure = await provider.check().then(
      () => null,
      (err: unknown) => (err instanceof Error ? err.message : String(err)),
    );
    if (failure !== lastFailure) {
      if (failure === null) logger.info({ provider: provider.name }, "provider check passed");
      else logger.warn({ provider: provider.name, error: failure }, "provider check failed");
      lastFailure = failure;
    }
    const report = providerHealthReport({ provider: provider.name, models, failure, checkedAt: now(), intervalMs: deps.intervalMs, instance: deps.instance });
    await (await openBucket()).put(PROVIDER_HEALTH_KEY, JSON.stringify(ProviderHealthReport.parse(report)));
  };

  const loop = (async () => {
    while (!stopped.signal.aborted) {
      try {
        await reportOnce();
      } catch (err) {
        if (stopped.signal.aborted) break;
        logger.warn({ err }, "could not write the provider health report; trying again at the next check");
      }
      await sleep(deps.intervalMs, stopped.signal).catch(() => undefined);
    }
  })();

  return {
    async stop() {
      stopped.abort();
      await loop;
    },
  };
}
