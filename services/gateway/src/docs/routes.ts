// GET /docs (Swagger UI), GET /redoc (ReDoc) and their assets under /docs/assets/.
import { Router } from "@koa/router";
import type { GatewayState } from "../http/state.ts";
import { ASSETS, assetBytes } from "./assets.ts";
import { redocPage, swaggerUiPage } from "./pages.ts";

/**
 * Everything from this origin: ReDoc's footer logo points at a CDN; the browser refuses
 * it here (and the page hides it), so the pages never reach outside an offline network.
 */
const PAGE_POLICY =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'";

/** The routes of the documentation pages themselves: HTML and scripts, not API operations. */
export function docsRoutes(): Router<GatewayState> {
  const router = new Router<GatewayState>();
  const swagger = swaggerUiPage();
  const redoc = redocPage();

  router.get("/docs", (ctx) => {
    ctx.type = "text/html; charset=utf-8";
    ctx.set("Content-Security-Policy", PAGE_POLICY);
    ctx.body = swagger;
  });
  router.get("/redoc", (ctx) => {
    ctx.type = "text/html; charset=utf-8";
    ctx.set("Content-Security-Policy", PAGE_POLICY);
    ctx.body = redoc;
  });
  router.get("/docs/assets/:name", async (ctx) => {
    const name = ctx.params.name ?? "";
    const bytes = assetBytes(name);
    // Not found: left to the unmatched-route handler, which answers the API's 404.
    if (!bytes) return;
    ctx.type = ASSETS[name]!.type;
    ctx.set("Cache-Control", "public, max-age=86400");
    ctx.body = await bytes;
  });
  return router;
}
