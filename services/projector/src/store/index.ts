// The projection's Postgres shell: applying events, recording those it cannot apply,
// reading stored rows, checking tables.
export { applyEvent, applyEvents, type ApplyOptions, type ApplyOutcome } from "./apply-event.ts";
export { describeDataError, isDataError } from "./data-errors.ts";
export { applyRecordingFailuresIn, failureReason, recordFailureIn, unstorable } from "./failures.ts";
export { missingTables, tablesCheck } from "./readiness.ts";
export { TABLE_NAMES, table, type Queryable, type TableName } from "./tables.ts";
