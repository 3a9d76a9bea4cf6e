// GET /openapi.json: the document, built once from the schemas at start-up.
import { Router } from "@koa/router";
import type { GatewayState } from "../http/state.ts";
import { openApiDocument, type DocumentSettings } from "./document.ts";

export function openApiRoutes(settings: DocumentSettings): Router<GatewayState> {
  const router = new Router<GatewayState>();
  const document = openApiDocument(settings);
  router.get("/openapi.json", (ctx) => {
    ctx.set("Cache-Control", "no-cache");
    ctx.body = document;
  });
  return router;
}
