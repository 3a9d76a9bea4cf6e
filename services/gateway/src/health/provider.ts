// Whether the agents' LLM provider answers, as /api/v1/health shows it: the latest check
// an agents replica reported through NATS, taken as it is while fresh, and as a failure
// when it is missing, stale or unreadable. Pure.
import { z } from "zod";
import { AgentId, type ProviderHealthReport } from "@chorus/contracts";

/** A report is stale once this many of its replica's check intervals pass without a newer one (two missed turns, and slack). */
export const STALE_AFTER_INTERVALS = 3;

export const LlmProviderStatus = z.object({
  ok: z.boolean(),
  provider: z.string().optional().describe("The provider the agents use: `local` (offline), `openai`, …"),
  model: z.string().optional().describe("The model, when every agent of the reporting replica uses the same one"),
  models: z.partialRecord(AgentId, z.string()).optional().describe("The model of each agent the reporting replica runs"),
  checked_at: z.iso.datetime({ offset: true }).optional().describe("When the reporting replica last confirmed the provider's state"),
  instance: z.string().optional().describe("The agents replica that reported (host:pid)"),
  error: z.string().optional(),
});
export type LlmProviderStatus = z.infer<typeof LlmProviderStatus>;

/** What reading the report gave: the report (null when none was ever written), or why it could not be read. */
export type ProviderReportRead = { report: ProviderHealthReport | null } | { unreadable: string };

export function llmProviderStatus(read: ProviderReportRead, nowMs: number): LlmProviderStatus {
  if ("unreadable" in read) return { ok: false, error: `cannot read the agents' provider report: ${read.unreadable}` };
  const { report } = read;
  if (!report) return { ok: false, error: "no agents service has reported a provider check (none is running, or none has finished starting)" };
  const models = new Set(Object.values(report.models));
  const known: LlmProviderStatus = {
    ok: report.ok,
    provider: report.provider,
    ...(models.size === 1 ? { model: [...models][0] } : {}),
    models: report.models,
    checked_at: report.checked_at,
    instance: report.instance,
  };
  const maxAgeMs = report.interval_ms * STALE_AFTER_INTERVALS;
  if (nowMs - Date.parse(report.checked_at) > maxAgeMs) {
    return {
      ...known,
      ok: false,
      error: `no agents service has reported in the last ${Math.ceil(maxAgeMs / 1000)} s (the last report, from ${report.instance}, is from ${report.checked_at})`,
    };
  }
  return report.ok ? known : { ...known, error: report.error ?? "the provider check failed" };
}
