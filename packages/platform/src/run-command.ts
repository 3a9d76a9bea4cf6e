// A one-shot command (a rebuild, an export) run the same way as a service starts: its
// configuration validated (exit 78 with one JSON line if not), a logger, NATS and the
// streams' clients; a failure is logged and exits 1; the connection is drained at the end.
import { topology } from "@chorus/contracts";
import type { z } from "zod";
import { readFileSync } from "node:fs";
import { configuredOrExit, loadConfigOrExit, type BaseConfig } from "./config.ts";
import { createLogger } from "./logger.ts";
import { connectNats, jetStreamClients, type NatsConnection, type StreamClients } from "./nats.ts";
import { natsAccess } from "./nats-access.ts";

export type CommandContext<C> = StreamClients & { config: C; nc: NatsConnection };

export type CommandDefinition<S extends z.ZodType<BaseConfig>> = {
  name: string;
  config: S;
  env: Record<string, string | undefined>;
  /** What the command does; a throw is logged as `failure` and the command exits 1. */
  run(ctx: CommandContext<z.infer<S>>): Promise<void>;
  /** The log line of a failure. */
  failure: string;
};

export async function runCommand<S extends z.ZodType<BaseConfig>>(command: CommandDefinition<S>): Promise<void> {
  const config = loadConfigOrExit(command.name, command.config, command.env);
  const access = configuredOrExit(command.name, () => natsAccess(config, readFileSync));
  const logger = createLogger(command.name, config.LOG_LEVEL);
  const nc = await connectNats({ url: config.NATS_URL, name: `chorus-${command.name}`, logger, access, coalesce: config.NATS_COALESCE_WRITES });
  try {
    const { js, jsm } = await jetStreamClients(nc);
    await command.run({ config, logger, topology: topology(config.CHORUS_SUBJECT_PREFIX), nc, js, jsm });
  } catch (err) {
    logger.fatal({ err }, command.failure);
    process.exitCode = 1;
  } finally {
    await nc.drain().catch(() => undefined);
  }
}
