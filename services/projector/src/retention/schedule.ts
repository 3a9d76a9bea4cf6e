// Runs the retention prune once a day at a fixed UTC hour in the projector process. Every
// replica runs it; the deletes are idempotent, so a second run finds nothing to delete.
import type { DatabasePool, Logger } from "@chorus/platform";
import { msUntilNextRun, retentionCutoff } from "./policy.ts";
import { pruneReadModels } from "./prune.ts";

export type RetentionOptions = {
  pool: DatabasePool;
  schema: string;
  /** Age in days after which rows are deleted; 0 keeps them forever (nothing is scheduled). */
  days: number;
  hourUtc: number;
  logger: Logger;
};

export type Retention = { stop(): void };

export function scheduleRetention(opts: RetentionOptions): Retention {
  if (opts.days <= 0) {
    opts.logger.info("retention off (RETENTION_DAYS=0): read models are kept forever");
    return { stop() {} };
  }
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const run = async () => {
    const cutoff = retentionCutoff(new Date(), opts.days);
    if (!cutoff || stopped) return;
    try {
      const deleted = await pruneReadModels(opts.pool, opts.schema, cutoff);
      opts.logger.info({ cutoff: cutoff.toISOString(), deleted }, "retention: deleted expired read-model rows");
    } catch (err) {
      opts.logger.error({ err }, "retention run failed; next try at the next scheduled run");
    }
  };
  const next = () => {
    if (stopped) return;
    timer = setTimeout(() => void run().finally(next), msUntilNextRun(new Date(), opts.hourUtc));
    timer.unref();
  };
  next();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
