// The schema of an event as SSE and gRPC WatchRequest send it (views/public-event.ts), for
// the OpenAPI document. Derived from the recorded events' schemas and the view's own
// allow-list, so a field the view withholds cannot show up here, nor one it adds be missing.
import { z } from "zod";
import { ApiKeyId, EVENT_SCHEMAS, type ChorusEventType } from "@chorus/contracts";
import { KEY_ID_FIELDS, PUBLIC_DATA_FIELDS } from "../views/public-event.ts";

const PublicWebhook = z.object({ url: z.string().describe("The webhook's URL, without any `user:password@` part") }).describe("The request's webhook: its URL only, never its secret");

/** One event type's public variant: the envelope, and of its data the allow-listed fields. */
function publicVariant(type: ChorusEventType) {
  const recorded = EVENT_SCHEMAS[type];
  const data = recorded.shape.data as z.ZodObject;
  const shown: Record<string, z.ZodType> = Object.fromEntries((PUBLIC_DATA_FIELDS[type] as readonly string[]).map((field) => [field, data.shape[field]!]));
  if ("webhook" in shown) shown.webhook = PublicWebhook.nullable();
  // A key id in the data is shown only when it is one (views/public-event.ts keyIds).
  for (const field of KEY_ID_FIELDS) if (field in data.shape) shown[field] = ApiKeyId.nullable().optional();
  return recorded.extend({ data: z.object(shown) });
}

const TYPES = Object.keys(PUBLIC_DATA_FIELDS) as ChorusEventType[];

export const PublicEvent = z
  .discriminatedUnion("type", TYPES.map(publicVariant) as unknown as [z.ZodObject, z.ZodObject, ...z.ZodObject[]])
  .describe(
    "A recorded event as a follower of its request sees it (SSE `data`, gRPC `RequestEvent`): the envelope, and of `data` the fields meant for clients. " +
      "Withheld: RequestAccepted's `idempotency_key` and `fingerprint`; every `webhook` (RequestAccepted, RequestCompleted, RequestFailed) is `{url}` or null, never its sealed secret; " +
      "URLs and error texts lose any `user:password@` part. The AsyncAPI document describes the whole recorded events.",
  );
