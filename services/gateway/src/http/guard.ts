// The route guard: a call must come with a key that has the route's scope, or for a route
// any key may call (null), just a valid key (see auth/access.ts). The caller lands in ctx.state.caller, the RateLimit headers on the answer.
import type { Middleware } from "koa";
import type { ApiScope } from "@chorus/contracts";
import type { Access } from "../auth/access.ts";
import type { Caller } from "../auth/authenticate.ts";
import type { GatewayContext, GatewayState } from "./state.ts";

export function guard(access: Access, scope: ApiScope | null): Middleware<GatewayState> {
  return async (ctx, next) => {
    const { caller, headers } = await access.admit(ctx.get("Authorization") || undefined, scope);
    ctx.state.caller = caller;
    for (const [name, value] of Object.entries(headers)) ctx.set(name, value);
    await next();
  };
}

/** The caller a guard admitted; a route without a guard has none, which is a bug. */
export function callerOf(ctx: GatewayContext): Caller {
  const caller = ctx.state.caller;
  if (!caller) throw new Error(`no caller on ${ctx.method} ${ctx.path}: the route has no guard`);
  return caller;
}
