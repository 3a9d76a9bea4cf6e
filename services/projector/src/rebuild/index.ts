// Rebuilding the read models from the event stream.
export { rebuildReadModels, RebuildInProgressError } from "./rebuild-read-models.ts";
