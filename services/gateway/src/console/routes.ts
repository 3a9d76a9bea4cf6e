// GET /console and its deep links (/console/requests/{id}, /console/submit,
// /console/overview): one page shell whose browser modules read only the public API
// (REST under /api/v1 and the SSE stream), with the caller's key if keys are required.
// The modules themselves are under /console/assets/. Layout: this folder is the server
// side (routes, what is served, the policy); services/gateway/console/ is the browser side.
import { readFile } from "node:fs/promises";
import { Router } from "@koa/router";
import type { GatewayContext, GatewayState } from "../http/state.ts";
import { assetReader, consoleAssets, shellPath } from "./assets.ts";

/**
 * Only this origin's scripts, styles and connections; no inline script or style, no
 * framing, no plugins. The key the console holds can only go back to this gateway.
 */
export const CONSOLE_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** The console's pages: every path a person may paste answers the same shell. */
export const CONSOLE_PAGES = ["/console", "/console/", "/console/requests", "/console/requests/:request_id", "/console/submit", "/console/overview"];

function secured(ctx: GatewayContext): void {
  ctx.set("Content-Security-Policy", CONSOLE_POLICY);
  ctx.set("X-Content-Type-Options", "nosniff");
  ctx.set("Referrer-Policy", "no-referrer");
}

export function consoleRoutes(): Router<GatewayState> {
  const router = new Router<GatewayState>();
  const assets = consoleAssets();
  const read = assetReader(assets);
  let shell: Promise<Buffer> | undefined;

  for (const path of CONSOLE_PAGES) {
    router.get(path, async (ctx) => {
      secured(ctx);
      ctx.type = "text/html; charset=utf-8";
      ctx.set("Cache-Control", "no-cache");
      ctx.body = await (shell ??= readFile(shellPath()));
    });
  }
  router.get("/console/assets/:name", async (ctx) => {
    const name = ctx.params.name ?? "";
    const bytes = read(name);
    // Not found: left to the unmatched-route handler, which answers the API's 404.
    if (!bytes) return;
    secured(ctx);
    ctx.type = assets.get(name)!.type;
    // Revalidated each time: a gateway upgrade is picked up without stale modules mixing with new ones.
    ctx.set("Cache-Control", "no-cache");
    ctx.body = await bytes;
  });
  return router;
}
