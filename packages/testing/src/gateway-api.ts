// The gateway's REST API as an outside client calls it, for end-to-end tests that drive
// the service processes: what they check is the status and the JSON the gateway answers.
import type { RequestView } from "@chorus/contracts";

/** POSTs `body` as JSON to the gateway's /api/v1/process; its status and the JSON it answered. */
export async function postProcess<T = RequestView>(gatewayUrl: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${gatewayUrl}/api/v1/process`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}
