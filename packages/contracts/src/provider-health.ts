// The agents service's report of whether its LLM provider answers, kept in a NATS KV
// bucket so the gateway's /api/v1/health can show it without calling the provider itself.
// Every agents replica writes its latest check to the one key; the freshest report wins.
import { z } from "zod";
import { AgentId } from "./agents.ts";
import type { Topology } from "./topology.ts";

/** One KV bucket per subject prefix, so isolated deployments and tests never read each other's report. */
export const providerHealthBucket = (t: Topology) => `${t.prefix}_provider_health`;

export const PROVIDER_HEALTH_KEY = "agents";

/** How often an agents replica checks its provider and reports, unless configured otherwise. */
export const DEFAULT_PROVIDER_CHECK_INTERVAL_MS = 30_000;

export const ProviderHealthReport = z.object({
  /** "local", "openai", … */
  provider: z.string().min(1),
  /** The model each agent this replica runs uses. */
  models: z.partialRecord(AgentId, z.string().min(1)),
  ok: z.boolean(),
  /** Why the check failed; absent when ok. */
  error: z.string().min(1).optional(),
  /** When this replica last confirmed the provider's state (from a check at most `interval_ms` old). */
  checked_at: z.iso.datetime({ offset: true }),
  /** How often this replica reports: a report much older than this is stale. */
  interval_ms: z.number().int().positive(),
  /** Which replica reported: host name and process id. */
  instance: z.string().min(1).max(300),
});
export type ProviderHealthReport = z.infer<typeof ProviderHealthReport>;
