// What every service does at start-up before its own work: read configuration, make a
// logger, connect to NATS and ensure the streams. main.ts files call this, then wire up.
import { topology, type Topology } from "@chorus/contracts";
import type { z } from "zod";
import { loadConfig, type BaseConfig } from "./config.ts";
import { ConfigError } from "./errors.ts";
import { createLogger, type Logger } from "./logger.ts";
import { connectNats, ensureStreams, jetStreamClients, type JetStreamClient, type JetStreamManager, type NatsConnection, type StreamLimits } from "./nats.ts";

export type ServiceContext<C> = {
  config: C;
  logger: Logger;
  topology: Topology;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
};

export function streamLimits(config: BaseConfig): StreamLimits {
  return {
    eventsMaxAgeMs: Math.round(config.EVENTS_MAX_AGE_DAYS * 24 * 3600_000),
    duplicateWindowMs: config.NATS_DUPLICATE_WINDOW_MS,
    replicas: config.NATS_STREAM_REPLICAS,
  };
}

/** Reads config (exiting with a clear message if invalid), connects, ensures streams. */
export async function bootService<S extends z.ZodType<BaseConfig>>(
  name: string,
  schema: S,
  env: Record<string, string | undefined>,
): Promise<ServiceContext<z.infer<S>>> {
  let config: z.infer<S>;
  try {
    config = loadConfig(schema, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(name, config.LOG_LEVEL);
  const t = topology(config.CHORUS_SUBJECT_PREFIX);
  const nc = await connectNats({ url: config.NATS_URL, name: `chorus-${name}`, logger });
  const { js, jsm } = await jetStreamClients(nc);
  await ensureStreams(jsm, t, streamLimits(config));
  logger.info({ nats: config.NATS_URL, prefix: t.prefix }, "connected to NATS; streams ready");
  return { config, logger, topology: t, nc, js, jsm };
}

/** A readiness check for the NATS connection: fails while disconnected. */
export function natsCheck(nc: NatsConnection) {
  return async () => {
    if (nc.isClosed()) throw new Error("connection closed");
    await nc.rtt();
  };
}
