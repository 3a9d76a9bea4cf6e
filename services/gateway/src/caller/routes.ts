// GET /api/v1/auth/key: who the calling key is. Any valid key may ask (no scope), and the
// call counts against its rate limit like any other; with CHORUS_AUTH=off it describes
// the open caller.
import { Router } from "@koa/router";
import type { Access } from "../auth/index.ts";
import { callerOf, guard } from "../http/guard.ts";
import type { GatewayState } from "../http/state.ts";
import { keyIdentity } from "./schema.ts";

export function callerRoutes(access: Access): Router<GatewayState> {
  const router = new Router<GatewayState>();
  router.get("/api/v1/auth/key", guard(access, null), (ctx) => {
    ctx.set("Cache-Control", "no-store");
    ctx.body = keyIdentity(callerOf(ctx), access.settings.mode);
  });
  return router;
}
