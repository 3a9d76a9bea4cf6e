// GET /api/v1/results/:request_id/events: the request's events as Server-Sent Events,
// replaying what already happened, then live, ending after the end event. Last-Event-ID
// (the stream sequence of the last event seen) resumes after it.
import { PassThrough } from "node:stream";
import { Router } from "@koa/router";
import type { BrokerState } from "../broker/state.ts";
import { gone as erased, notFound, unavailable } from "../errors.ts";
import type { Access } from "../auth/index.ts";
import { callerOf, guard } from "../http/guard.ts";
import { bindRequestId, type GatewayState } from "../http/state.ts";
import { parseRequestId } from "../results/read.ts";
import { followRequest, type FollowDeps } from "./follow.ts";
import { SSE_KEEPALIVE, resumeAfter, sseFrame } from "./frame.ts";

export type EventsDeps = Omit<FollowDeps, "logger" | "tenantId"> & {
  access: Access;
  broker: BrokerState;
  /** Aborted when the gateway starts stopping: open streams end, so shutdown does not wait on them. */
  stopping?: AbortSignal;
  keepAliveMs?: number;
};

export function eventsRoutes(deps: EventsDeps): Router<GatewayState> {
  const router = new Router<GatewayState>();

  router.get("/api/v1/results/:request_id/events", guard(deps.access, "requests:read"), async (ctx) => {
    const requestId = parseRequestId(ctx.params.request_id ?? "");
    bindRequestId(ctx, requestId);
    if (!deps.broker.isUp()) throw unavailable("the message broker", undefined, requestId);
    const caller = callerOf(ctx);
    // Held from here until the stream ends, whichever way it ends.
    const release = deps.access.openStream(caller);
    let handedOver = false;

    const gone = new AbortController();
    // The response's close, not the request's: a request without a body may "close" at once.
    ctx.res.once("close", () => gone.abort());
    // A client that left while the guard decided has closed already: no event will say so.
    if (ctx.res.destroyed) gone.abort();
    const queryId = typeof ctx.query.last_event_id === "string" ? ctx.query.last_event_id : undefined;
    const afterSeq = resumeAfter(ctx.get("Last-Event-ID") || queryId);
    let following;
    try {
      try {
        following = await followRequest({ ...deps, tenantId: caller.tenantId, logger: ctx.state.log }, requestId, { afterSeq, signal: deps.stopping ? AbortSignal.any([gone.signal, deps.stopping]) : gone.signal });
      } catch (err) {
        throw unavailable("the message broker", err, requestId);
      }
      if (following.kind === "not_found") throw notFound(`no request ${requestId}`, requestId);
      if (following.kind === "erased") throw erased(requestId, following.erasedAt);
      handedOver = true;
    } finally {
      if (!handedOver) release();
    }

    ctx.status = 200;
    ctx.type = "text/event-stream";
    ctx.set("Cache-Control", "no-cache");
    // Tells nginx-style proxies not to buffer the stream.
    ctx.set("X-Accel-Buffering", "no");
    ctx.req.socket.setNoDelay(true);
    const body = new PassThrough();
    body.once("close", () => gone.abort());
    ctx.body = body;
    const keepAlive = setInterval(() => body.write(SSE_KEEPALIVE), deps.keepAliveMs ?? 15_000);
    const log = ctx.state.log;
    void (async () => {
      try {
        for await (const { seq, event } of following.events) body.write(sseFrame(seq, event));
      } catch (err) {
        log.warn({ err }, "event stream ended by an error");
      } finally {
        clearInterval(keepAlive);
        release();
        body.end();
      }
    })();
  });

  return router;
}
