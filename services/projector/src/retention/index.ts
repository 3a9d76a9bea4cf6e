// Retention of the read models: the daily prune of rows older than RETENTION_DAYS.
export { msUntilNextRun, retentionCutoff } from "./policy.ts";
export { pruneReadModels, type PruneCounts } from "./prune.ts";
export { scheduleRetention, type Retention, type RetentionOptions } from "./schedule.ts";
