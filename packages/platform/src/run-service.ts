// A service from start to stop, the same for every service: boot (configuration, probes,
// NATS, streams), the service's own start, /readyz and /metrics on its probe port, consumer
// lag, and on SIGTERM its closers in order, then the probe server and the NATS drain, then
// what must outlive NATS (databases). A service's service.ts supplies only its configuration
// schema and start function; it runs alone in its process (main.ts) or beside others
// (runServices).
import type { z } from "zod";
import { exitFatally, exitWithConfigError } from "./crash.ts";
import { ConfigError } from "./errors.ts";
import { metricsRoutes, observeConsumerLag } from "./metrics.ts";
import type { Checks } from "./probes.ts";
import { bootService, natsCheck, type ProbedConfig, type ServiceContext } from "./service.ts";
import { onShutdown, type Closer } from "./shutdown.ts";
import { recentStoreRefusal } from "./store-full.ts";

/** What a started service hands back to be watched and stopped. */
export type StartedService = {
  /** Checks /readyz runs beside `nats`. */
  readiness?: Checks;
  /** Shown in /readyz without deciding readiness (e.g. dead letters). */
  details?: () => Record<string, unknown>;
  /** Run in order on shutdown, before the probe server closes and NATS drains (stop pulling, finish work). */
  closers: Closer[];
  /** Run after NATS has drained: connections the closers above still needed (Postgres). */
  closeAfterNats?: Closer[];
  /** Fields of the "running" log line. */
  summary?: Record<string, unknown>;
};

export type ServiceDefinition<S extends z.ZodType<ProbedConfig>> = {
  name: string;
  config: S;
  env: Record<string, string | undefined>;
  /** The durable whose lag is reported as chorus_projector_lag_*, for the projector. */
  projectorDurable?: string;
  /**
   * The service answers /livez and /readyz on PORT itself (the gateway's app): without an
   * OPS_PORT, the start-up probes make way for it before `start` runs; with one, the probes
   * and /metrics stay there, on a port that is not the public API's.
   */
  servesOwnProbes?: boolean;
  /** The service's own start. A ConfigError thrown here ends the process with exit 78, like a bad variable. */
  start(ctx: ServiceContext<z.infer<S>>): Promise<StartedService>;
};

/** A service's definition as written, its config's type inferred for its start function. */
export function defineService<S extends z.ZodType<ProbedConfig>>(service: ServiceDefinition<S>): ServiceDefinition<S> {
  return service;
}

export async function runService<S extends z.ZodType<ProbedConfig>>(service: ServiceDefinition<S>): Promise<void> {
  const ctx = await bootService(service.name, service.config, service.env);
  const { config, logger, nc, jsm, topology, probes } = ctx;
  observeConsumerLag({ jsm, topology, projectorDurable: service.projectorDurable });
  // /metrics answers from here on, also while the start waits (for Postgres, for models).
  const probesOnPort = !service.servesOwnProbes || config.OPS_PORT !== undefined;
  if (!probesOnPort) await probes.close();
  else probes.routes(metricsRoutes());

  let started: StartedService;
  try {
    started = await service.start(ctx);
  } catch (err) {
    if (err instanceof ConfigError) {
      await nc.close().catch(() => undefined);
      exitWithConfigError(service.name, err);
    }
    exitFatally(1, `${service.name} failed to start`, { err });
  }

  const closers: Closer[] = [...started.closers];
  let opsPort: number | undefined;
  if (probesOnPort) {
    // A write JetStream refused for want of space is reported, not a reason to be taken out of service: the handler waits for space.
    const details = () => {
      const refused = recentStoreRefusal();
      return { ...started.details?.(), ...(refused ? { event_store: { full: true, ...refused } } : {}) };
    };
    const server = probes.serve({ routes: metricsRoutes(), readiness: { nats: natsCheck(nc), ...started.readiness }, details });
    const address = server.address();
    if (config.OPS_PORT !== undefined && typeof address === "object" && address) opsPort = address.port;
    closers.push({ name: "probe server", close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  }
  closers.push({ name: "nats", close: () => nc.drain() }, ...(started.closeAfterNats ?? []));
  onShutdown(logger, closers, config.SHUTDOWN_TIMEOUT_MS);
  logger.info({ port: config.PORT, ...(opsPort !== undefined ? { ops_port: opsPort } : {}), ...started.summary }, `${service.name} running`);
}
