// A request's RequestAccepted as the gateway records it, for tests of the layers below it
// (publishing, consuming, storage) that need a valid event and not a whole submission.
import { randomUUID } from "node:crypto";
import type { EventOf } from "@chorus/contracts";

type AcceptedData = EventOf<"RequestAccepted">["data"];

/** A parallel request for the summarizer, accepted now; `data` replaces what differs. */
export function acceptedRequest(requestId: string = randomUUID(), data: Partial<AcceptedData> = {}): EventOf<"RequestAccepted"> {
  return {
    id: randomUUID(),
    type: "RequestAccepted",
    version: 1,
    request_id: requestId,
    tenant_id: "default",
    occurred_at: new Date().toISOString(),
    correlation_id: "corr-1",
    data: {
      text: "hello there, world",
      orchestration_mode: "parallel",
      agents: ["summarizer"],
      webhook: null,
      idempotency_key: null,
      fingerprint: null,
      agent_timeout_ms: 1000,
      ...data,
    },
  };
}
