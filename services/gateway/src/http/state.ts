// What each request carries through the middleware: its correlation id and a logger
// whose lines name it (and the Chorus request id once one is known).
import type { ParameterizedContext } from "koa";
import type { Logger } from "@chorus/platform";
import type { Caller } from "../auth/authenticate.ts";

export type GatewayState = {
  correlationId: string;
  log: Logger;
  requestId?: string;
  /** Who is calling, once a route's guard has admitted them. */
  caller?: Caller;
};

export type GatewayContext = ParameterizedContext<GatewayState>;

/** Names the Chorus request this HTTP request is about, in the state and on every later log line. */
export function bindRequestId(ctx: GatewayContext, requestId: string): void {
  if (ctx.state.requestId === requestId) return;
  ctx.state.requestId = requestId;
  ctx.state.log = ctx.state.log.child({ request_id: requestId });
}
