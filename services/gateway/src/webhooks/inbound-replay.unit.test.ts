import { describe, expect, it } from "vitest";
import { topology } from "@chorus/contracts";
import { WEBHOOK_TOLERANCE_SECONDS } from "@chorus/webhook-security";
import { acceptedWebhookIdKey, acceptedWebhookIdsBucket, rememberAcceptedIdsMs } from "./inbound-replay.ts";

describe("accepted inbound webhook-ids", () => {
  it("keeps them in one bucket per prefix, a valid KV bucket name", () => {
    expect(acceptedWebhookIdsBucket(topology("chorus"))).toBe("chorus_inbound_webhook_ids");
    expect(acceptedWebhookIdsBucket(topology("t-1"))).toMatch(/^[-_a-zA-Z0-9]+$/);
  });

  it("keys an id by its SHA-256, whatever characters the sender put in it", () => {
    for (const id of ["msg_2Lz", "a b/c*>.", "ü".repeat(500), ""]) expect(acceptedWebhookIdKey(id)).toMatch(/^[0-9a-f]{64}$/);
    expect(acceptedWebhookIdKey("msg_1")).not.toBe(acceptedWebhookIdKey("msg_2"));
    expect(acceptedWebhookIdKey("msg_1")).toBe("116b88f173007be5e05df2a87105f0950bef284d0ceca39951e9bae80706ac45");
  });

  it("remembers an id longer than a signed timestamp stays acceptable (twice the tolerance)", () => {
    const ms = rememberAcceptedIdsMs(WEBHOOK_TOLERANCE_SECONDS);
    expect(ms).toBeGreaterThan(2 * WEBHOOK_TOLERANCE_SECONDS * 1000);
    // Not so long that the bucket keeps ids for no reason.
    expect(ms).toBeLessThanOrEqual(2 * WEBHOOK_TOLERANCE_SECONDS * 1000 + 5 * 60_000);
    expect(rememberAcceptedIdsMs(60)).toBe(180_000);
  });
});
