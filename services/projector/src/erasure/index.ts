// Erasure of one request's data from NATS, on its RequestErased tombstone (see sweep.ts).
export { ERASURE_DURABLE, erasureDurable, startErasureSweep } from "./sweep.ts";
export { deleteRequestData, type DeletedData } from "./request-data.ts";
