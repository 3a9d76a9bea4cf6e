// The inbound webhook-ids already accepted, in a NATS KV bucket that every gateway
// replica shares. A claim is a create, which JetStream refuses when the key exists, so
// one replica wins an id however many receive it at once; ids expire with the bucket.
import type { Topology } from "@chorus/contracts";
import { isWrongLastSequence, kvBucketOnFirstUse, type JetStreamClient } from "@chorus/platform";
import { acceptedWebhookIdKey, acceptedWebhookIdsBucket, rememberAcceptedIdsMs } from "./inbound-replay.ts";

export type WebhookIdClaim = {
  /** Forgets the id again: for a delivery that started no request, so that the sender's retry of it is taken. */
  release(): Promise<void>;
};

export type AcceptedWebhookIds = {
  /** Claims `webhookId` for one delivery; null when it was accepted before, on any replica. Rejects when NATS cannot tell. */
  claim(webhookId: string, acceptedAt: Date): Promise<WebhookIdClaim | null>;
};

export function acceptedWebhookIds(js: JetStreamClient, t: Topology, toleranceSeconds: number): AcceptedWebhookIds {
  // Opened at the first delivery, not at start: most deployments never receive one.
  // File storage, so a NATS restart does not forget ids whose timestamps are still acceptable.
  const open = kvBucketOnFirstUse(js, acceptedWebhookIdsBucket(t), { history: 1, ttl: rememberAcceptedIdsMs(toleranceSeconds) });
  return {
    async claim(webhookId, acceptedAt) {
      const kv = await open();
      const key = acceptedWebhookIdKey(webhookId);
      let revision: number;
      try {
        revision = await kv.create(key, acceptedAt.toISOString());
      } catch (err) {
        if (isWrongLastSequence(err)) return null;
        throw err;
      }
      return {
        // Only this claim is forgotten: should the key have changed meanwhile, the delete is refused.
        release: () => kv.delete(key, { previousSeq: revision }),
      };
    },
  };
}
