// Identity of a submission: the request id an Idempotency-Key stands for (the same on
// every replica, with no shared state), the fingerprint that tells a true retry from a
// reused key, and what an earlier submission under the same key makes of this one.
import { createHash, createHmac } from "node:crypto";
import { isEndEvent, type ChorusEvent, type EventOf, type RequestView } from "@chorus/contracts";
import { ApiError } from "../errors.ts";
import { applyEvent, viewFromEvents } from "../views/fold.ts";
import type { ProcessInput } from "./schema.ts";

/** A version-8 UUID from sha256(tenant, key): the same key of the same tenant names the same request. */
export function requestIdForKey(tenantId: string, idempotencyKey: string): string {
  const digest = createHash("sha256").update(`chorus.idempotency\u0000${tenantId}\u0000${idempotencyKey}`, "utf8").digest();
  const bytes = digest.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80; // version 8: custom
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * sha256 of the validated body in a canonical form (fixed key order, defaults applied).
 * The webhook secret enters only as an HMAC under the fingerprint key (its own, not a
 * sealing key; the same across rotations of the keyring), so the fingerprint, which
 * travels in events, cannot be used to guess the secret.
 */
export function fingerprintOf(input: ProcessInput, fingerprintKey: Buffer): string {
  const canonical = JSON.stringify([
    input.text,
    input.orchestration_mode,
    input.agents,
    input.webhook ? input.webhook.url : null,
    input.webhook ? createHmac("sha256", fingerprintKey).update(input.webhook.secret, "utf8").digest("hex") : null,
  ]);
  return createHash("sha256").update(canonical, "utf8").digest("hex");
}

export const keyReused = (requestId: string) =>
  new ApiError("IdempotencyKeyReused", "this Idempotency-Key was already used with a different request body", { requestId });

/** Whether an accept under the same key was of another body. One with no recorded fingerprint cannot be told apart, so it is taken as the same. */
export function isOtherBody(accepted: EventOf<"RequestAccepted">, fingerprint: string): boolean {
  return accepted.data.fingerprint != null && accepted.data.fingerprint !== fingerprint;
}

/** An earlier submission under the same key, answered again: its view, and whether it has ended. */
export type PriorSubmission = { view: RequestView; ended: boolean };

/**
 * The earlier submission under this key, from its request's recorded events: undefined when
 * there is none, a replay when it was the same body, 422 IdempotencyKeyReused when another.
 */
export function priorSubmission(recorded: readonly ChorusEvent[], fingerprint: string, known: RequestView): PriorSubmission | undefined {
  const accepted = recorded.find((e) => e.type === "RequestAccepted");
  if (!accepted) return undefined;
  if (isOtherBody(accepted, fingerprint)) throw keyReused(known.request_id);
  return { view: viewFromEvents(recorded) ?? known, ended: recorded.some(isEndEvent) };
}

/**
 * A publish the server kept out as a duplicate: a retry with the same key inside the
 * duplicate window. The stored accept says whether it was the same body (the view it
 * leads to) or another (422).
 */
export function duplicateSubmission(stored: EventOf<"RequestAccepted"> | undefined, fingerprint: string, known: RequestView): RequestView {
  if (!stored) return known;
  if (isOtherBody(stored, fingerprint)) throw keyReused(known.request_id);
  return applyEvent(known, stored) ?? known;
}
