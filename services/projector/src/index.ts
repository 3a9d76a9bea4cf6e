// @chorus/projector: events → Postgres read models, live and by rebuild.
export { startProjector, PROJECTOR_DURABLE, type Projector, type ProjectorDeps, type ProjectorStats } from "./projector.ts";
export { rebuildReadModels, type RebuildDeps, type RebuildResult } from "./rebuild/index.ts";
export { applyEventsIn, projectEvent, projectEvents, missingTables, tablesCheck, type ApplyOptions, type ApplyOutcome } from "./store/index.ts";
export { project } from "./projection/index.ts";
