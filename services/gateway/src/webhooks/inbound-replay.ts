// How POST /webhook/receive remembers the webhook-ids it has accepted, so a replayed
// delivery is refused on every gateway replica: the shared KV bucket's name, the key one
// id is claimed under, and how long an id must be remembered.
import { createHash } from "node:crypto";
import type { Topology } from "@chorus/contracts";

/** The KV bucket of accepted inbound webhook-ids, one per prefix (shared by all replicas). */
export const acceptedWebhookIdsBucket = (t: Topology) => `${t.prefix}_inbound_webhook_ids`;

/**
 * The key an id is claimed under. KV keys allow only [-/_=.a-zA-Z0-9] and a webhook-id is
 * any text the sender chose, so the key is its SHA-256: fixed length, one key per id.
 */
export const acceptedWebhookIdKey = (webhookId: string) => createHash("sha256").update(webhookId, "utf8").digest("hex");

/** Room for the replicas' and NATS' clocks to disagree. */
const CLOCK_SKEW_MS = 60_000;

/**
 * How long an accepted id must be remembered. A timestamp is taken from `tolerance`
 * before now to `tolerance` after it, so one signed delivery is acceptable for twice the
 * tolerance (accepted first at its earliest, replayed at its latest); after that the
 * timestamp check refuses it and the id may be forgotten.
 */
export const rememberAcceptedIdsMs = (toleranceSeconds: number) => 2 * toleranceSeconds * 1000 + CLOCK_SKEW_MS;
