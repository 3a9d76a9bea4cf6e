// Erasure of one request's personal data: the DELETE route, which records the request's
// RequestErased tombstone; the projector's erasure sweep deletes the rest.
export { eraseRoute } from "./route.ts";
export type { ErasureDeps } from "./erase.ts";
