// The projection's Postgres shell: applying events, reading state, checking tables.
export { applyEventsIn, projectEvent, projectEvents, type ApplyOptions, type ApplyOutcome } from "./apply-event.ts";
export { missingTables, tablesCheck } from "./readiness.ts";
export { TABLE_NAMES, table, type Queryable, type TableName } from "./tables.ts";
