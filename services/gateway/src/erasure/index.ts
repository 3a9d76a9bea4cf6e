// Erasure of one request's personal data: the DELETE route and the sweep that finishes it.
export { eraseRoute } from "./route.ts";
export { ERASURE_DURABLE, erasureDurable, startErasureSweep } from "./completion.ts";
export type { ErasureDeps } from "./erase.ts";
