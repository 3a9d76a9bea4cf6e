// What every service does at start-up before its own work: read configuration, make a
// logger, open its probe server, connect to NATS and ensure the streams. A broker that is
// not there yet (no server, no JetStream meta leader) makes it wait and retry while
// /readyz says why, never crash; a bad configuration or a bug ends it with one JSON line.
// runService calls this for each service, then its start wires it up.
import { topology } from "@chorus/contracts";
import type { z } from "zod";
import { readFileSync } from "node:fs";
import { configuredOrExit, loadConfigOrExit, type BaseConfig } from "./config.ts";
import type { CommandContext } from "./run-command.ts";
import { createLogger } from "./logger.ts";
import { connectNats, ensureStreams, jetStreamClients, type NatsConnection, type StreamLimits } from "./nats.ts";
import { loggableNatsUrl, natsAccess } from "./nats-access.ts";
import { startStartupProbes, type StartupProbes } from "./probes.ts";
import { exitOnSignalWhileStarting } from "./shutdown.ts";
import { retryWhileNatsUnavailable } from "./startup.ts";

export type ServiceContext<C> = CommandContext<C> & {
  /**
   * The probe server on PORT, listening since before NATS was reached: /livez 200, /readyz
   * 503 with the reason, until `probes.serve` hands it the service's own checks (or
   * `probes.close` frees the port for the gateway's own server).
   */
  probes: StartupProbes;
  /** Runs a start-up step of the service's own (its durables, KV buckets), retried while NATS is unavailable. */
  startStep<T>(step: string, run: () => Promise<T>): Promise<T>;
};

/**
 * What bootService needs of a service's configuration: the base, and the port its probes
 * answer on: OPS_PORT where the service has one (the gateway: its API is on PORT), else PORT.
 */
export type ProbedConfig = BaseConfig & { PORT: number; HOST?: string; OPS_PORT?: number };

export function streamLimits(config: BaseConfig): StreamLimits {
  return {
    eventsMaxAgeMs: Math.round(config.EVENTS_MAX_AGE_DAYS * 24 * 3600_000),
    eventsMaxBytes: config.EVENTS_MAX_BYTES,
    duplicateWindowMs: config.NATS_DUPLICATE_WINDOW_MS,
    replicas: config.NATS_STREAM_REPLICAS,
  };
}

/** Reads config (exiting 78 with a JSON line if invalid), opens the probes, connects and ensures streams, waiting for NATS as long as it takes. */
export async function bootService<S extends z.ZodType<ProbedConfig>>(
  name: string,
  schema: S,
  env: Record<string, string | undefined>,
): Promise<ServiceContext<z.infer<S>>> {
  const config = loadConfigOrExit(name, schema, env);
  const access = configuredOrExit(name, () => natsAccess(config, readFileSync));
  const logger = createLogger(name, config.LOG_LEVEL);
  exitOnSignalWhileStarting(logger);
  const probes = await startStartupProbes({ port: config.OPS_PORT ?? config.PORT, host: config.HOST, reason: "connecting to NATS" });
  const startStep = <T>(step: string, run: () => Promise<T>): Promise<T> => {
    probes.starting(step);
    return retryWhileNatsUnavailable(step, run, { logger, onWaiting: (reason) => probes.starting(reason) });
  };
  const t = topology(config.CHORUS_SUBJECT_PREFIX);
  const nc = await startStep("connecting to NATS", () => connectNats({ url: config.NATS_URL, name: `chorus-${name}`, logger, access, coalesce: config.NATS_COALESCE_WRITES }));
  const { js, jsm } = await startStep("waiting for JetStream", () => jetStreamClients(nc));
  await startStep("ensuring streams", () => ensureStreams(jsm, t, streamLimits(config), logger));
  logger.info({ nats: loggableNatsUrl(config.NATS_URL), nats_user: config.NATS_USER, prefix: t.prefix }, "connected to NATS; streams ready");
  probes.starting("starting");
  return { config, logger, topology: t, nc, js, jsm, probes, startStep };
}

/** A readiness check for the NATS connection: fails while disconnected. */
export function natsCheck(nc: NatsConnection) {
  return async () => {
    if (nc.isClosed()) throw new Error("connection closed");
    await nc.rtt();
  };
}
