// The gateway's REST API as an outside client calls it, for end-to-end tests that drive
// the service processes: what they check is the status and the JSON the gateway answers.
import type { RequestView } from "@chorus/contracts";

export type CreatedApiKey = { id: string; key: string; tenant: string; scopes: string[] };

/** Creates an API key through the admin API with `adminKey`; throws with the answer when it is not a 201. */
export async function createApiKey(
  gatewayUrl: string,
  adminKey: string,
  key: { tenant: string; scopes: string[]; name?: string; rate_limit_per_minute?: number },
): Promise<CreatedApiKey> {
  const res = await fetch(`${gatewayUrl}/api/v1/admin/keys`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${adminKey}` },
    body: JSON.stringify({ name: key.name ?? `${key.tenant} test key`, ...key }),
  });
  if (res.status !== 201) throw new Error(`creating an API key answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as CreatedApiKey;
}

/** Authorization header for a key. */
export const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

/** POSTs `body` as JSON to the gateway's /api/v1/process; its status and the JSON it answered. */
export async function postProcess<T = RequestView>(gatewayUrl: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${gatewayUrl}/api/v1/process`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** Every REST route about one request, as [method, path]: what a check of who may see a request, or of an erasure, walks. */
export function requestRoutes(requestId: string): (readonly ["GET" | "POST", string])[] {
  return [
    ["GET", `/api/v1/results/${requestId}`],
    ["GET", `/api/v1/results/${requestId}/events`],
    ["GET", `/api/v1/webhook-logs/${requestId}`],
    ["POST", `/api/v1/webhook/retry/${requestId}`],
  ];
}
