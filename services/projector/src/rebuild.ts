// `npm run projector:rebuild`: rebuilds the read models from the event stream and swaps
// them in while the live projector keeps running. A command-line entry, so it reads env.
import { BaseConfig, DatabaseConfig, createDatabasePool, runCommand } from "@chorus/platform";
import { ProjectorConfig } from "./config.ts";
import { rebuildReadModels } from "./rebuild/index.ts";

await runCommand({
  name: "projector-rebuild",
  // The projector's retention, so the rebuilt read models keep what the live ones keep.
  config: BaseConfig.extend(DatabaseConfig.shape).extend({ RETENTION_DAYS: ProjectorConfig.shape.RETENTION_DAYS }),
  env: process.env,
  failure: "rebuild failed; the live read models are unchanged",
  async run({ config, logger, topology, js, jsm }) {
    const pool = await createDatabasePool(config.DATABASE_URL, { maximumPoolSize: 2 });
    try {
      const result = await rebuildReadModels({ js, jsm, topology, pool, databaseUrl: config.DATABASE_URL, logger, retentionDays: config.RETENTION_DAYS });
      process.stdout.write(
        `rebuilt the read models: ${result.events} events replayed (${result.caughtUp} caught up at the swap, ${result.skipped} invalid skipped, ` +
          `${result.failed} that could not be projected as they are, recorded in projection_failures; ${result.expired} requests older than RETENTION_DAYS left out) in ${(result.durationMs / 1000).toFixed(2)} s\n`,
      );
    } finally {
      await pool.end();
    }
  },
});
