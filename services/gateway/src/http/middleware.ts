// The middleware around every route: request context (correlation id, logger, access
// log), the ONE place errors become JSON responses, and JSON answers for unknown routes.
import type { Middleware } from "koa";
import { tagRequestRoute, tagRequestSpans, type Logger } from "@chorus/platform";
import { correlationIdFrom } from "./correlation.ts";
import { ApiError, notFound } from "../errors.ts";
import { httpErrorOf } from "./error-mapping.ts";
import type { GatewayState } from "./state.ts";

export function requestContext(logger: Logger): Middleware<GatewayState> {
  return async (ctx, next) => {
    const started = performance.now();
    const correlationId = correlationIdFrom(ctx.headers);
    ctx.state.correlationId = correlationId;
    ctx.state.log = logger.child({ correlation_id: correlationId });
    ctx.set("X-Correlation-ID", correlationId);
    tagRequestSpans(correlationId);
    try {
      await next();
    } finally {
      // Set by the router on a match: the metrics label requests by route, not by path.
      const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      if (typeof route === "string") tagRequestRoute(route);
      const line = { method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(performance.now() - started) };
      if (ctx.path === "/livez" || ctx.path === "/readyz" || ctx.path === "/metrics") ctx.state.log.debug(line, "request");
      else ctx.state.log.info(line, "request");
    }
  };
}

export function errorResponses(limits: { maxBodyBytes: number }): Middleware<GatewayState> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const { status, headers, body } = httpErrorOf(err, limits);
      if (status >= 500 && status !== 503) ctx.state.log.error({ err }, "request failed");
      else if (status === 503) ctx.state.log.warn({ err: (err as Error).cause ?? err }, "dependency unavailable");
      ctx.status = status;
      for (const [name, value] of Object.entries(headers)) ctx.set(name, value);
      if (!body.request_id && ctx.state.requestId && status !== 500) body.request_id = ctx.state.requestId;
      ctx.body = body;
      // A request body left unread (e.g. over the limit) must not hold the connection.
      if (!ctx.req.complete) ctx.set("Connection", "close");
    }
  };
}

/** Routes matched nothing: answer 404/405 in the API's error shape instead of Koa's plain text. */
export function unmatchedRoutes(): Middleware<GatewayState> {
  return async (ctx, next) => {
    await next();
    if (ctx.body != null) return;
    if (ctx.status === 404) throw notFound(`no route ${ctx.method} ${ctx.path}`);
    // The router has set the Allow header already; the error answer keeps it.
    if (ctx.status === 405) throw new ApiError("MethodNotAllowed", `${ctx.method} is not allowed on ${ctx.path}`);
  };
}
