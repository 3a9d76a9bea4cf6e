// Retention of the read models: the daily prune of rows older than RETENTION_DAYS.
export { scheduleRetention } from "./schedule.ts";
