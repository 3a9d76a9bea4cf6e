// `npm run projector:rebuild`: rebuilds the read models from the event stream and swaps
// them in while the live projector keeps running. A command-line entry, so it reads env.
import {
  BaseConfig,
  ConfigError,
  DatabaseConfig,
  connectNats,
  createDatabasePool,
  createLogger,
  jetStreamClients,
  loadConfig,
  type DatabasePool,
} from "@chorus/platform";
import { topology } from "@chorus/contracts";
import { rebuildReadModels } from "./rebuild/index.ts";

const RebuildConfig = BaseConfig.extend(DatabaseConfig.shape);

let config: ReturnType<typeof RebuildConfig.parse>;
try {
  config = loadConfig(RebuildConfig, process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`projector:rebuild: ${err.message}\n`);
  process.exit(78);
}

const logger = createLogger("projector-rebuild", config.LOG_LEVEL);
const nc = await connectNats({ url: config.NATS_URL, name: "chorus-projector-rebuild", logger });
let pool: DatabasePool | undefined;
try {
  pool = await createDatabasePool(config.DATABASE_URL, { maximumPoolSize: 2 });
  const { js, jsm } = await jetStreamClients(nc);
  const result = await rebuildReadModels({ js, jsm, topology: topology(config.CHORUS_SUBJECT_PREFIX), pool, databaseUrl: config.DATABASE_URL, logger });
  process.stdout.write(
    `rebuilt the read models: ${result.events} events replayed (${result.caughtUp} caught up at the swap, ${result.skipped} invalid skipped, ` +
      `${result.failed} that could not be projected as they are, recorded in projection_failures) in ${(result.durationMs / 1000).toFixed(2)} s\n`,
  );
} catch (err) {
  logger.fatal({ err }, "rebuild failed; the live read models are unchanged");
  process.exitCode = 1;
} finally {
  await nc.drain().catch(() => undefined);
  await pool?.end();
}
