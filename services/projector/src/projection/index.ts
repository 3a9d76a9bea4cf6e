// The projection's pure core: events in, read-model rows out. No I/O here.
export { projectBatch, type SequencedEvent } from "./project-batch.ts";
export { NO_STORED_ROWS, type RowChange, type StoredRequestRows } from "./rows.ts";
export { toInstant } from "./instant.ts";
export { makesRequestRow } from "./request-row.ts";
export { mayCarryUnstorableText, unstorableText } from "./storable.ts";
