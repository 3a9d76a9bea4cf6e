// CORS from CORS_ORIGINS: "*" allows any origin; otherwise only the listed ones (none by default).
import cors from "@koa/cors";
import type { Middleware } from "koa";

export function allowedOrigin(origins: readonly string[], requestOrigin: string | undefined): string {
  if (origins.includes("*")) return "*";
  return requestOrigin && origins.includes(requestOrigin) ? requestOrigin : "";
}

export function corsMiddleware(origins: readonly string[]): Middleware {
  return cors({
    origin: (ctx) => allowedOrigin(origins, ctx.get("Origin") || undefined),
    allowMethods: ["GET", "HEAD", "POST", "DELETE", "OPTIONS"],
    allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "Prefer", "X-Correlation-ID", "X-Request-ID", "Last-Event-ID"],
    exposeHeaders: ["X-Correlation-ID", "Location", "Preference-Applied", "Idempotent-Replayed", "Retry-After", "RateLimit", "RateLimit-Policy", "WWW-Authenticate"],
    maxAge: 600,
  });
}
