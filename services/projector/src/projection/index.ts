// The projection's pure core: events in, read-model rows out. No I/O here.
export { project } from "./project.ts";
export { projectBatch, withChanges, type BatchOutcome, type BatchProjection, type SequencedEvent } from "./project-batch.ts";
export { EMPTY_STATE, type AgentResultRow, type Projection, type RequestRow, type RequestState, type RowChange, type WebhookAttemptRow, type WebhookStatus } from "./rows.ts";
export { toInstant, type Instant } from "./instant.ts";
export { succeeded } from "./webhook.ts";
export { makesRequestRow } from "./request-row.ts";
export { mayCarryUnstorableText, unstorableText } from "./storable.ts";
