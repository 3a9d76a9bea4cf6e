// The public API as the console calls it: REST under /api/v1 and the request's SSE
// stream, with the API key (when keys are required) in the Authorization header. The
// key lives in sessionStorage only: gone when the tab closes, never in a cookie or a URL.
import { sseParser } from "./sse.js";

const KEY_ITEM = "chorus.console.api-key";

export const apiKey = {
  get: () => sessionStorage.getItem(KEY_ITEM),
  set: (key) => sessionStorage.setItem(KEY_ITEM, key),
  forget: () => sessionStorage.removeItem(KEY_ITEM),
};

/** An answer that was not 2xx: its status and the API's error body ({ error, message, details }). */
export class ApiFailure extends Error {
  constructor(status, body) {
    super(body?.message ?? `the gateway answered ${status}`);
    this.status = status;
    this.error = body?.error ?? "Error";
    this.details = body?.details ?? [];
  }
}

function headersFor(extra = {}) {
  const key = apiKey.get();
  return { accept: "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}), ...extra };
}

/** A 401 anywhere means the key is missing, wrong or revoked: the app asks for one. */
function noticeUnauthorized(status) {
  if (status === 401) window.dispatchEvent(new CustomEvent("chorus:unauthorized"));
}

/** Calls the API; the parsed JSON body of a 2xx, else throws ApiFailure. */
export async function call(path, { method = "GET", body, headers = {}, signal } = {}) {
  const res = await fetch(path, {
    method,
    signal,
    headers: headersFor(body === undefined ? headers : { "content-type": "application/json", ...headers }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    noticeUnauthorized(res.status);
    throw new ApiFailure(res.status, parsed);
  }
  return parsed;
}

/** The public health summary (its answer is 200 or 503, both with a body). */
export async function health() {
  const res = await fetch("/api/v1/health", { headers: headersFor() });
  return { status: res.status, body: await res.json() };
}

/**
 * The request's events over SSE, replayed from the start (or after `lastEventId`) then
 * live, until the stream ends (after the request's end event, or when the gateway stops)
 * or `signal` aborts. Calls `onEvent` with { id, type, event } for each.
 */
export async function followEvents(requestId, { onEvent, signal, lastEventId }) {
  const resume = lastEventId === undefined ? {} : { "last-event-id": lastEventId };
  const res = await fetch(`/api/v1/results/${encodeURIComponent(requestId)}/events`, { headers: headersFor({ accept: "text/event-stream", ...resume }), signal });
  if (!res.ok || !res.body) {
    noticeUnauthorized(res.status);
    let body;
    try {
      body = await res.json();
    } catch {
      body = undefined;
    }
    throw new ApiFailure(res.status, body);
  }
  const parser = sseParser();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    for (const message of parser.push(value)) onEvent({ id: message.id, type: message.event, event: JSON.parse(message.data) });
  }
}
