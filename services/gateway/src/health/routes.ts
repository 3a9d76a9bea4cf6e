// GET /api/v1/health (database, NATS, LLM provider: 200 or 503 with each check), and the
// Kubernetes probes on the same port: /livez (the process runs) and /readyz (it can
// accept submissions: NATS is up and it is not stopping; Postgres is not required), and
// /metrics for Prometheus.
import { Router } from "@koa/router";
import { natsCheck, prometheusMetrics, runChecks, sql, type NatsConnection } from "@chorus/platform";
import type { DatabaseLink } from "../database/link.ts";
import type { GatewayState } from "../http/state.ts";
import type { LlmProviderStatus } from "./provider.ts";
import type { HealthReport } from "./schema.ts";

export type HealthDeps = {
  nc: NatsConnection;
  database: DatabaseLink;
  llmProvider: LlmProviderStatus;
  stopping: AbortSignal;
  checkTimeoutMs?: number;
};

export function healthRoutes(deps: HealthDeps): Router<GatewayState> {
  const router = new Router<GatewayState>();
  const timeout = deps.checkTimeoutMs ?? 2_000;

  router.get("/api/v1/health", async (ctx) => {
    const report = await runChecks(
      {
        database: async () => {
          const notConnected = deps.database.lastError();
          if (notConnected) throw new Error(`not connected: ${notConnected}`);
          await deps.database.pool().query(sql.unsafe`SELECT 1`);
        },
        nats: natsCheck(deps.nc),
      },
      timeout,
    );
    const checked = (name: string) => report.checks[name] ?? { ok: false, ms: 0, error: "not run" };
    const healthy = report.ok && deps.llmProvider.ok;
    const body: HealthReport = {
      status: healthy ? "healthy" : "unhealthy",
      checks: { database: checked("database"), nats: checked("nats"), llm_provider: deps.llmProvider },
    };
    ctx.status = healthy ? 200 : 503;
    ctx.set("Cache-Control", "no-store");
    ctx.body = body;
  });

  router.get("/metrics", async (ctx) => {
    const [status, type, body] = await prometheusMetrics();
    ctx.status = status;
    ctx.type = type;
    ctx.body = body;
  });

  router.get("/livez", (ctx) => {
    ctx.body = { status: "ok" };
  });

  router.get("/readyz", async (ctx) => {
    const report = await runChecks({ nats: natsCheck(deps.nc) }, timeout);
    const ready = report.ok && !deps.stopping.aborted;
    ctx.status = ready ? 200 : 503;
    ctx.set("Cache-Control", "no-store");
    ctx.body = { status: ready ? "ready" : "not_ready", checks: report.checks, ...(deps.stopping.aborted ? { stopping: true } : {}) };
  });

  return router;
}
