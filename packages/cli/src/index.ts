// The chorus command's parts, for its tests and for scripts that archive in-process.
export { exportEvents, type ExportOptions, type ExportResult } from "./events/export-events.ts";
export { importEvents, StreamNotEmptyError, type ImportOptions, type ImportResult } from "./events/import-events.ts";
