// `npm run migrate`: applies the read-model migrations to DATABASE_URL.
import { DatabaseConfig, BaseConfig, createLogger, ensureDatabase, loadConfig, migrateReadModels } from "@chorus/platform";

const config = loadConfig(BaseConfig.extend(DatabaseConfig.shape), process.env);
const logger = createLogger("migrate", config.LOG_LEVEL);
try {
  if (await ensureDatabase(config.DATABASE_URL)) logger.info("created the database");
  const ran = await migrateReadModels(config.DATABASE_URL, { logger });
  logger.info({ migrations: ran }, ran.length ? `applied ${ran.length} migration(s)` : "read models are up to date");
} catch (err) {
  logger.fatal({ err }, "migration failed");
  process.exitCode = 1;
}
