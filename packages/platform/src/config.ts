// Configuration is read from the environment once, at start-up, validated with zod,
// and handed down as a typed object. Nothing below main.ts reads process.env.
import { z } from "zod";
import { exitWithConfigError, installCrashHandlers } from "./crash.ts";
import { ConfigError } from "./errors.ts";

type Env = Record<string, string | undefined>;

/** Parses `env` with `schema`; on failure throws one ConfigError naming every bad variable. */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env): z.infer<S> {
  // Empty strings mean "not set" for every variable: a compose file's `FOO=` must not
  // turn into an invalid value.
  const cleaned: Env = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== "") cleaned[k] = v;
  const parsed = schema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const name = issue.path.join(".") || "(environment)";
    const got = typeof issue.path[0] === "string" ? cleaned[issue.path[0]] : undefined;
    const shown = got === undefined ? "not set" : /SECRET|KEY|PASSWORD|TOKEN/i.test(name) ? "set (hidden)" : JSON.stringify(got);
    return `  ${name}: ${issue.message} (${shown})`;
  });
  throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
}

/** Boolean env var: true/false/1/0/yes/no, case-insensitive. */
export const envBoolean = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(["true", "false", "1", "0", "yes", "no"]))
  .transform((v) => v === "true" || v === "1" || v === "yes");

export const envInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** Variables every Chorus process reads. Services extend this with their own. */
export const BaseConfig = z.object({
  NATS_URL: z.string().default("nats://127.0.0.1:4222"),
  // Who the process is on NATS (nats-access.ts; users and permissions in deploy/nats/): a
  // user with a password (or a file holding it), or a creds file; TLS by its files.
  NATS_USER: z.string().regex(/^[A-Za-z0-9_-]+$/, "must be one subject token ([A-Za-z0-9_-]): replies come to _INBOX.<user>").optional(),
  NATS_PASSWORD: z.string().optional(),
  NATS_PASSWORD_FILE: z.string().optional(),
  NATS_CREDS_FILE: z.string().optional(),
  NATS_TLS_CA_FILE: z.string().optional(),
  NATS_TLS_CERT_FILE: z.string().optional(),
  NATS_TLS_KEY_FILE: z.string().optional(),
  /** One socket write per event-loop turn per NATS connection (write-coalescing.ts); false restores the client's own flushing. */
  NATS_COALESCE_WRITES: envBoolean.default(true),
  LOG_LEVEL: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum([...LOG_LEVELS, "warning", "critical"]))
    // The earlier (Python) service took logging's names; keep them working.
    .transform((v) => (v === "warning" ? "warn" : v === "critical" ? "fatal" : v))
    .default("info"),
  DEBUG: envBoolean.default(false),
  CHORUS_SUBJECT_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).default("chorus"),
  CHORUS_TENANT_ID: z.string().regex(/^[A-Za-z0-9_-]+$/).default("default"),
  SHUTDOWN_TIMEOUT_MS: envInt(100, 600_000).default(20_000),
  /** Max age of the event stream in days; 0 keeps events forever (they are the system of record). */
  EVENTS_MAX_AGE_DAYS: z.coerce.number().min(0).default(0),
  /** Most bytes the event stream may hold; 0 is no limit. At the limit new writes are refused (submissions answer 503), old events are never dropped for space. */
  EVENTS_MAX_BYTES: z.coerce.number().int().min(0).default(0),
  NATS_DUPLICATE_WINDOW_MS: envInt(1_000, 24 * 3600_000).default(10 * 60_000),
  /** JetStream replicas for streams created by Chorus: 1 on a single server, 3 on a cluster. */
  NATS_STREAM_REPLICAS: envInt(1, 5).default(1),
});
export type BaseConfig = z.infer<typeof BaseConfig>;

export const DatabaseConfig = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .default("postgresql://postgres@127.0.0.1:5432/chorus"),
  DATABASE_POOL_SIZE: envInt(1, 200).default(10),
});

/**
 * Runs a step of configuration beyond the environment (reading a file it names): a
 * ConfigError ends the process as an invalid variable does (exit 78, one JSON line).
 */
export function configuredOrExit<T>(name: string, step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof ConfigError) exitWithConfigError(name, err);
    throw err;
  }
}

/**
 * What every process does first: install the crash handlers under its name and read its
 * configuration; an invalid one ends the process here (exit 78, one JSON line).
 */
export function loadConfigOrExit<S extends z.ZodType>(name: string, schema: S, env: Record<string, string | undefined>): z.infer<S> {
  installCrashHandlers(name);
  try {
    return loadConfig(schema, env);
  } catch (err) {
    if (err instanceof ConfigError) exitWithConfigError(name, err);
    throw err;
  }
}
