// The small HTTP server every background service runs for its orchestrator:
// /livez (the process is alive) and /readyz (its dependencies answer, its consumers run).
import { createServer, type Server } from "node:http";

export type Check = () => Promise<void> | void;
export type Checks = Record<string, Check>;

export type CheckReport = { ok: boolean; checks: Record<string, { ok: boolean; error?: string; ms: number }> };

/** Runs every check at once, each bounded by a timeout, and reports each one. */
export async function runChecks(checks: Checks, timeoutMs = 2_000): Promise<CheckReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      const started = performance.now();
      try {
        await Promise.race([
          Promise.resolve().then(check),
          new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs).unref()),
        ]);
        return [name, { ok: true, ms: Math.round(performance.now() - started) }] as const;
      } catch (err) {
        return [name, { ok: false, error: err instanceof Error ? err.message : String(err), ms: Math.round(performance.now() - started) }] as const;
      }
    }),
  );
  const result = Object.fromEntries(entries);
  return { ok: entries.every(([, r]) => r.ok), checks: result };
}

export type ProbeServerOptions = {
  port: number;
  host?: string;
  readiness: Checks;
  /** Extra routes, e.g. /metrics: path → handler returning [status, content-type, body]. */
  routes?: Record<string, () => Promise<[number, string, string]>>;
};

export async function startProbeServer(opts: ProbeServerOptions): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const reply = (status: number, body: unknown, type = "application/json") => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    if (path === "/livez") return reply(200, { status: "ok" });
    if (path === "/readyz") {
      void runChecks(opts.readiness).then((r) => reply(r.ok ? 200 : 503, { status: r.ok ? "ready" : "not_ready", checks: r.checks }));
      return;
    }
    const route = opts.routes?.[path];
    if (route) {
      void route().then(([status, type, body]) => reply(status, body, type), (err: Error) => reply(500, { error: "Internal", message: err.message }));
      return;
    }
    reply(404, { error: "NotFound", message: `no route ${path}` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host ?? "0.0.0.0", () => resolve());
  });
  return server;
}
