// The gateway's Koa application: middleware in order (context, errors, CORS, routes)
// and the vertical slices. No listening and no environment here; see server.ts and main.ts.
import Koa from "koa";
import { adminRoutes } from "./admin/routes.ts";
import { brokerState } from "./broker/state.ts";
import { callerRoutes } from "./caller/routes.ts";
import type { GatewayDeps } from "./deps.ts";
import { healthRoutes } from "./health/routes.ts";
import { consoleRoutes } from "./console/index.ts";
import { docsRoutes } from "./docs/routes.ts";
import { eventsRoutes } from "./events/routes.ts";
import { corsMiddleware } from "./http/cors.ts";
import { errorResponses, requestContext, unmatchedRoutes } from "./http/middleware.ts";
import type { GatewayState } from "./http/state.ts";
import { openApiRoutes } from "./openapi/routes.ts";
import { processingRoutes } from "./processing/routes.ts";
import { submitDepsOf } from "./processing/submit.ts";
import { resultsRoutes } from "./results/routes.ts";
import { webhookRoutes } from "./webhooks/routes.ts";

export function createApp(deps: GatewayDeps): Koa<GatewayState> {
  const { settings, access } = deps;
  const stopping = deps.stopping ?? new AbortController().signal;
  const broker = brokerState(deps.nc);
  const submitDeps = submitDepsOf(deps, broker);

  // Ensured ahead of the first submission so that it does not wait for it; a failure here is tried again then.
  submitDeps.ensureAccepts().catch((err: unknown) => deps.logger.warn({ err }, "could not ensure the accepted-requests durable yet; the first submission tries again"));
  const app = new Koa<GatewayState>();

  const routers = [
    processingRoutes(
      submitDeps,
      access,
      { maxTextLength: settings.maxTextLength, maxBodyBytes: settings.maxBodyBytes, processWaitTimeoutMs: settings.processWaitTimeoutMs, stopping },
    ),
    resultsRoutes(
      { database: deps.database, js: deps.js, jsm: deps.jsm, topology: deps.topology, broker, clock: () => new Date(), ...(settings.eraseWaitMs !== undefined ? { eraseWaitMs: settings.eraseWaitMs } : {}) },
      access,
    ),
    healthRoutes({ nc: deps.nc, js: deps.js, topology: deps.topology, database: deps.database, stopping, access }),
    eventsRoutes({ js: deps.js, jsm: deps.jsm, topology: deps.topology, broker, access, stopping }),
    adminRoutes(access),
    callerRoutes(access),
    openApiRoutes({ maxTextLength: settings.maxTextLength }),
    docsRoutes(),
    consoleRoutes(),
    webhookRoutes(
      { ...submitDeps, database: deps.database },
      access,
      { maxTextLength: settings.maxTextLength, maxBodyBytes: settings.maxBodyBytes, inboundSecret: settings.webhookInboundSecret, allowLegacySignature: settings.webhookInboundAllowLegacy ?? false },
    ),
  ];

  app.use(requestContext(deps.logger));
  app.use(async (ctx, next) => {
    await next();
    // While stopping, no connection is kept alive, so closing the server does not wait on idle sockets.
    if (stopping.aborted) ctx.set("Connection", "close");
  });
  app.use(errorResponses({ maxBodyBytes: settings.maxBodyBytes }));
  app.use(corsMiddleware(settings.corsOrigins));
  app.use(unmatchedRoutes());
  for (const router of routers) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  // Errors are answered by errorResponses; what reaches here happened outside a request (sockets).
  app.silent = true;
  app.on("error", (err: unknown) => deps.logger.warn({ err }, "http error outside a request"));
  return app;
}
