// The small HTTP server every background service runs for its orchestrator:
// /livez (the process is alive) and /readyz (its dependencies answer, its consumers run).
// It listens from the start of bootService, saying why the service is not ready yet,
// and is then handed the service's own checks on the same socket.
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";

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
  /** Shown in /readyz beside the checks without deciding readiness: what an operator should see (e.g. dead letters). */
  details?: () => Record<string, unknown>;
  /** Extra routes, e.g. /metrics: path → handler returning [status, content-type, body]. */
  routes?: Record<string, () => Promise<[number, string, string]>>;
};

type Reply = (status: number, body: unknown, type?: string) => void;

function replier(res: ServerResponse): Reply {
  return (status, body, type = "application/json") => {
    res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
    res.end(typeof body === "string" ? body : JSON.stringify(body));
  };
}

type Route = NonNullable<ProbeServerOptions["routes"]>[string];

function answerRoute(route: Route, reply: Reply): void {
  void route().then(([status, type, body]) => reply(status, body, type), (err: Error) => reply(500, { error: "Internal", message: err.message }));
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? "/").split("?")[0] ?? "/";
}

function probeHandler(opts: Pick<ProbeServerOptions, "readiness" | "routes" | "details">): RequestListener {
  return (req, res) => {
    const path = pathOf(req);
    const reply = replier(res);
    if (path === "/livez") return reply(200, { status: "ok" });
    if (path === "/readyz") {
      void runChecks(opts.readiness).then((r) =>
        reply(r.ok ? 200 : 503, { status: r.ok ? "ready" : "not_ready", checks: r.checks, ...(opts.details ? { details: opts.details() } : {}) }),
      );
      return;
    }
    const route = opts.routes?.[path];
    if (route) return answerRoute(route, reply);
    reply(404, { error: "NotFound", message: `no route ${path}` });
  };
}

/** While a service starts: alive, not ready, and why; its extra routes (/metrics) already answer; every other path is 503. */
function startingHandler(reason: () => string, routes: () => ProbeServerOptions["routes"]): RequestListener {
  return (req, res) => {
    const path = pathOf(req);
    const reply = replier(res);
    if (path === "/livez") return reply(200, { status: "ok" });
    if (path === "/readyz") return reply(503, { status: "not_ready", checks: { startup: { ok: false, error: reason(), ms: 0 } } });
    const route = routes()?.[path];
    if (route) return answerRoute(route, reply);
    res.setHeader("retry-after", "1");
    reply(503, { error: "Unavailable", message: `starting: ${reason()}` });
  };
}

async function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host ?? "0.0.0.0", () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** The probe server of a service that is starting: listening before NATS is reached, so /livez answers from the first moment. */
export type StartupProbes = {
  readonly server: Server;
  /** What /readyz gives as the reason it is not ready yet. */
  starting(reason: string): void;
  /** Routes (/metrics) to answer already while starting. */
  routes(routes: ProbeServerOptions["routes"]): void;
  /** Hands the same listening socket to the service's own checks and routes, so the probes never stop answering. */
  serve(opts: Pick<ProbeServerOptions, "readiness" | "routes" | "details">): Server;
  /** Stops listening, for a service that serves its probes from a server of its own on the same port (the gateway). */
  close(): Promise<void>;
};

export async function startStartupProbes(opts: { port: number; host?: string; reason: string }): Promise<StartupProbes> {
  let reason = opts.reason;
  let routes: ProbeServerOptions["routes"];
  let handler = startingHandler(
    () => reason,
    () => routes,
  );
  const server = createServer((req, res) => handler(req, res));
  await listen(server, opts.port, opts.host);
  return {
    server,
    starting: (r) => void (reason = r),
    routes: (r) => void (routes = r),
    serve(serving) {
      handler = probeHandler(serving);
      return server;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // A prober's keep-alive connection would otherwise hold the close open.
        server.closeAllConnections();
      }),
  };
}
