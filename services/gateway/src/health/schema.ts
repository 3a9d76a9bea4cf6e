// The health report's shape, for its route and the OpenAPI document.
import { z } from "zod";
import { LlmProviderStatus } from "./provider.ts";

export const DependencyCheck = z.object({
  ok: z.boolean(),
  ms: z.number().int().min(0).describe("How long the check took"),
  error: z.string().optional(),
});

export const HealthReport = z
  .object({
    status: z.enum(["healthy", "unhealthy"]),
    auth: z.enum(["required", "off"]).describe("CHORUS_AUTH: whether calls need an API key"),
    checks: z.object({
      database: DependencyCheck.describe("Postgres answers `select 1`"),
      nats: DependencyCheck.describe("NATS answers a round trip"),
      llm_provider: LlmProviderStatus.describe(
        "The agents' LLM provider as an agents replica last checked it (every 30 s by default); not ok when that check failed, or when no replica has reported within three of its check intervals",
      ),
    }),
  })
  .describe(
    "200 when every check is ok, else 503. Without an admin key (when keys are required) each check says only `ok` and `ms`, and the provider only its name: error texts and hosts are for operators",
  );
export type HealthReport = z.infer<typeof HealthReport>;

/** The report anyone may see: whether each part is up, nothing about why or where. */
export function publicHealth(report: HealthReport): HealthReport {
  const { database, nats, llm_provider } = report.checks;
  return {
    status: report.status,
    auth: report.auth,
    checks: {
      database: { ok: database.ok, ms: database.ms },
      nats: { ok: nats.ok, ms: nats.ms },
      llm_provider: { ok: llm_provider.ok, ...(llm_provider.provider ? { provider: llm_provider.provider } : {}) },
    },
  };
}
