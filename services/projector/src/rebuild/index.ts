// Rebuilding the read models from the event stream.
export { rebuildReadModels, RebuildInProgressError, type RebuildDeps, type RebuildResult } from "./rebuild-read-models.ts";
