// One HTTP attempt: checks the target again (DNS may have changed since submission),
// connects to the address it checked (no second lookup an attacker could rebind),
// never follows a redirect, and protects the sender from its receiver: a connection not
// made within the connect timeout, an exchange not over within the total timeout and a
// body longer than the cap each end the attempt, so a receiver that accepts and stalls,
// or streams without end, holds a send slot no longer than the timeout allows.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import type { AttemptResponse } from "./delivery/index.ts";
import { checkWebhookTarget, type ResolvedAddress } from "@chorus/webhook-security";

export type SendOptions = {
  /** The whole exchange: connect, send, the answer's status and as much of its body as is read. */
  timeoutMs: number;
  /** TCP (and TLS) connection; a receiver that cannot be reached fails fast, before the total timeout. */
  connectTimeoutMs?: number | undefined;
  /** Bytes of the answer's body read at most: its status is all that is needed, the rest is cut off. */
  maxResponseBytes?: number | undefined;
  allowPrivate: boolean;
  allowedPorts?: readonly number[] | undefined;
};

export const SEND_DEFAULTS = { connectTimeoutMs: 5_000, maxResponseBytes: 64 * 1024 } as const;

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
  const connectTimeoutMs = Math.min(options.timeoutMs, options.connectTimeoutMs ?? SEND_DEFAULTS.connectTimeoutMs);
  const maxResponseBytes = options.maxResponseBytes ?? SEND_DEFAULTS.maxResponseBytes;
  return new Promise<AttemptResponse>((resolve) => {
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const settle = (r: AttemptResponse) => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      resolve(r);
    };
    const giveUp = (error: string) => {
      settle({ kind: "no-answer", error });
      req.destroy();
    };
    const req = request(
      href,
      {
        method: "POST",
        lookup: pinnedLookup(target.addresses),
        headers: { "content-type": "application/json", "user-agent": "Chorus-Webhooks/1", ...headers, "content-length": String(Buffer.byteLength(body)) },
      },
      (res) => {
        const answered: AttemptResponse = { kind: "answered", statusCode: res.statusCode ?? 0, retryAfter: res.headers["retry-after"] };
        // The body is not needed: read it to free the socket, up to the cap, then cut it off.
        let read = 0;
        res.on("data", (chunk: Buffer) => {
          read += chunk.length;
          if (read <= maxResponseBytes) return;
          settle(answered);
          req.destroy();
        });
        res.on("end", () => settle(answered));
        res.on("error", () => settle(answered));
      },
    );
    // The whole exchange, not just idle time, is bounded by WEBHOOK_TIMEOUT.
    timers.push(setTimeout(() => giveUp(`no answer within ${options.timeoutMs} ms`), options.timeoutMs));
    req.on("socket", (socket) => {
      if (req.reusedSocket) return;
      const connecting = setTimeout(() => giveUp(`no connection within ${connectTimeoutMs} ms`), connectTimeoutMs);
      timers.push(connecting);
      socket.once(href.startsWith("https:") ? "secureConnect" : "connect", () => clearTimeout(connecting));
    });
    req.on("error", (err) => settle({ kind: "no-answer", error: err.message }));
    req.end(body);
  });
}
