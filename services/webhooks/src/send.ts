// One HTTP attempt: checks the target again (DNS may have changed since submission),
// connects to the address it checked (no second lookup an attacker could rebind),
// never follows a redirect, and gives up after the timeout.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import type { AttemptResponse } from "./delivery/index.ts";
import { checkWebhookTarget, type ResolvedAddress } from "@chorus/webhook-security";

export type SendOptions = { timeoutMs: number; allowPrivate: boolean; allowedPorts?: readonly number[] | undefined };

/** A lookup that answers with the already checked addresses, whatever DNS says now. */
function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
    const list = wanted.length ? wanted : addresses;
    if (options.all) callback(null, list.map((a) => ({ address: a.address, family: a.family })));
    else callback(null, list[0]?.address ?? "", list[0]?.family ?? 4);
  };
}

export async function sendWebhook(url: string, body: string, headers: Record<string, string>, options: SendOptions): Promise<AttemptResponse> {
  const target = await checkWebhookTarget(url, { allowPrivate: options.allowPrivate, allowedPorts: options.allowedPorts });
  // A name that does not resolve now may later: that attempt fails and is retried.
  if (!target.ok) return target.kind === "forbidden" ? { kind: "refused", error: target.reason } : { kind: "no-answer", error: target.reason };
  // The URL as checked, in the parser's spelling: an event recorded before submissions were normalised may say HTTPS://.
  const href = target.href;
  const request = href.startsWith("https:") ? httpsRequest : httpRequest;
  return new Promise<AttemptResponse>((resolve) => {
    let settled = false;
    const settle = (r: AttemptResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = request(
      href,
      {
        method: "POST",
        lookup: pinnedLookup(target.addresses),
        headers: { "content-type": "application/json", "user-agent": "Chorus-Webhooks/1", ...headers, "content-length": String(Buffer.byteLength(body)) },
      },
      (res) => {
        // The body is not needed; drain it so the socket is freed.
        res.resume();
        const retryAfter = res.headers["retry-after"];
        res.on("end", () => settle({ kind: "answered", statusCode: res.statusCode ?? 0, retryAfter }));
        res.on("error", () => settle({ kind: "answered", statusCode: res.statusCode ?? 0, retryAfter }));
      },
    );
    // The whole exchange, not just idle time, is bounded by WEBHOOK_TIMEOUT.
    const timer = setTimeout(() => {
      settle({ kind: "no-answer", error: `no answer within ${options.timeoutMs} ms` });
      req.destroy();
    }, options.timeoutMs);
    req.on("error", (err) => settle({ kind: "no-answer", error: err.message }));
    req.end(body);
  });
}
