// The projector's configuration, validated once at start (main.ts or services/run.ts hands it the environment).
import type { z } from "zod";
import { BaseConfig, DatabaseConfig, envInt } from "@chorus/platform";

export const ProjectorConfig = BaseConfig.extend(DatabaseConfig.shape).extend({
  PORT: envInt(1, 65_535).default(8083),
  /** Most events applied in one transaction; a batch is whatever arrived while the last was written (and while it lingered). */
  PROJECTOR_BATCH_SIZE: envInt(1, 5_000).default(256),
  /**
   * How long an event may wait for others to join its batch, ms from its arrival, counting
   * any time it spent behind the previous batch; a full batch does not wait. Each
   * transaction costs about a dozen round trips whatever its size, so a trickle of events
   * applied one at a time is the dearest way to run. 0: at once.
   */
  PROJECTOR_BATCH_LINGER_MS: envInt(0, 1_000).default(20),
  /** On this delivery an event Postgres still refuses as data (say U+0000 in a string) is recorded and dead-lettered. */
  PROJECTOR_DATA_ERROR_DELIVERIES: envInt(1, 100).default(5),
  /** Read-model rows and webhook logs older than this many days are deleted daily; 0 keeps them. */
  RETENTION_DAYS: envInt(0, 36_500).default(30),
  /** The UTC hour of the daily retention run. */
  RETENTION_HOUR_UTC: envInt(0, 23).default(3),
});

export type ProjectorConfig = z.infer<typeof ProjectorConfig>;
