// GET /api/v1/health (database, NATS, and the LLM provider as the agents last reported it:
// 200 or 503 with each check), and the Kubernetes probes on the same port: /livez (the process runs) and /readyz (it can
// accept submissions: NATS is up and it is not stopping; Postgres is not required; a write
// JetStream refused for want of space is shown in its details), and
// /metrics for Prometheus.
import { Router } from "@koa/router";
import type { Topology } from "@chorus/contracts";
import { natsCheck, prometheusMetrics, recentStoreRefusal, runChecks, sql, type JetStreamClient, type NatsConnection } from "@chorus/platform";
import type { Access } from "../auth/index.ts";
import type { DatabaseLink } from "../database/link.ts";
import { guard } from "../http/guard.ts";
import type { GatewayState } from "../http/state.ts";
import { llmProviderStatus } from "./provider.ts";
import { providerReportReader } from "./provider-report.ts";
import { publicHealth, type HealthReport } from "./schema.ts";

export type HealthDeps = {
  nc: NatsConnection;
  /** Reads the agents' latest provider check from its KV bucket. */
  js: JetStreamClient;
  topology: Topology;
  database: DatabaseLink;
  stopping: AbortSignal;
  /** Who sees the detailed report and /metrics: an admin key (anyone when auth is off). */
  access: Access;
  checkTimeoutMs?: number;
};

export function healthRoutes(deps: HealthDeps): Router<GatewayState> {
  const router = new Router<GatewayState>();
  const timeout = deps.checkTimeoutMs ?? 2_000;
  const readProviderReport = providerReportReader({ js: deps.js, topology: deps.topology, timeoutMs: timeout });

  router.get("/api/v1/health", async (ctx) => {
    const [report, providerRead] = await Promise.all([
      runChecks(
        {
          database: async () => {
            const notConnected = deps.database.lastError();
            if (notConnected) throw new Error(`not connected: ${notConnected}`);
            await deps.database.pool().query(sql.unsafe`SELECT 1`);
          },
          nats: natsCheck(deps.nc),
        },
        timeout,
      ),
      readProviderReport(),
    ]);
    const checked = (name: string) => report.checks[name] ?? { ok: false, ms: 0, error: "not run" };
    const llmProvider = llmProviderStatus(providerRead, Date.now());
    const healthy = report.ok && llmProvider.ok;
    const body: HealthReport = {
      status: healthy ? "healthy" : "unhealthy",
      auth: deps.access.settings.mode,
      checks: { database: checked("database"), nats: checked("nats"), llm_provider: llmProvider },
    };
    ctx.status = healthy ? 200 : 503;
    ctx.set("Cache-Control", "no-store");
    ctx.body = (await mayReadDetails(ctx.get("Authorization") || undefined)) ? body : publicHealth(body);
  });

  /** Whether the caller may see error texts and hosts: an admin key, or auth off. A bad key just gets the summary. */
  async function mayReadDetails(authorization: string | undefined): Promise<boolean> {
    if (deps.access.settings.mode === "off") return true;
    if (!authorization) return false;
    return deps.access.admit(authorization, "admin").then(
      () => true,
      () => false,
    );
  }

  // Also on the internal OPS_PORT without a key; here, on the public port, for admins only.
  router.get("/metrics", guard(deps.access, "admin"), async (ctx) => {
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
    // Reported, not a reason to leave service: every replica shares the store, and reads still work.
    const refused = recentStoreRefusal();
    ctx.status = ready ? 200 : 503;
    ctx.set("Cache-Control", "no-store");
    ctx.body = {
      status: ready ? "ready" : "not_ready",
      checks: report.checks,
      ...(deps.stopping.aborted ? { stopping: true } : {}),
      ...(refused ? { details: { event_store: { full: true, ...refused } } } : {}),
    };
  });

  return router;
}
