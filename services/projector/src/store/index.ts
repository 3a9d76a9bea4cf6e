// The projection's Postgres shell: applying events, recording those it cannot apply,
// reading state, checking tables.
export { applyEventsIn, lockRequests, projectEvent, projectEvents, type ApplyOptions, type ApplyOutcome } from "./apply-event.ts";
export { describeDataError, isDataError, UnprojectableEventError } from "./data-errors.ts";
export { applyRecordingFailuresIn, failureReason, recordFailureIn, unstorable, type FailedEvent, type RecordOutcome } from "./failures.ts";
export { missingTables, tablesCheck } from "./readiness.ts";
export { TABLE_NAMES, table, type Queryable, type TableName } from "./tables.ts";
