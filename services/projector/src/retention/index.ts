// Retention of the read models: the daily prune of rows older than RETENTION_DAYS.
export { retentionCutoff } from "./policy.ts";
export { pruneReadModelsIn, type PruneCounts } from "./prune.ts";
export { scheduleRetention } from "./schedule.ts";
