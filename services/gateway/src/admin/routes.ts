// The admin API: create, list and revoke API keys (scope `admin`). Each change is a key
// event on the keys stream, taken up by every gateway replica (see auth/key-store.ts).
import { Router } from "@koa/router";
import { koaBody } from "koa-body";
import type { Middleware } from "koa";
import type { Access } from "../auth/access.ts";
import { newApiKey } from "../auth/api-key.ts";
import { listKeys } from "../auth/registry.ts";
import { ApiError, notFound, unavailable } from "../errors.ts";
import { callerOf, guard } from "../http/guard.ts";
import type { GatewayState } from "../http/state.ts";
import { parseOr422 } from "../http/validation.ts";
import { CreateKeyBody, KeyIdParam, keyView } from "./schema.ts";

async function recorded(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    throw unavailable("the message broker", err);
  }
}

export function adminRoutes(access: Access): Router<GatewayState> {
  const router = new Router<GatewayState>();
  const guarded = guard(access, "admin");
  // With the API open, anyone could mint keys that would be valid once keys are required.
  const admin: Middleware<GatewayState> = async (ctx, next) => {
    if (access.settings.mode === "off") throw new ApiError("Forbidden", "API keys are managed only while CHORUS_AUTH=required");
    await guarded(ctx, next);
  };
  const body = koaBody({ json: true, jsonStrict: true, jsonLimit: 16 * 1024, urlencoded: false, text: false, multipart: false }) as Middleware<GatewayState>;

  router.post("/api/v1/admin/keys", admin, body, async (ctx) => {
    const input = parseOr422(CreateKeyBody, ctx.request.body ?? {});
    const made = newApiKey();
    const occurredAt = new Date().toISOString();
    await recorded(() =>
      access.keys.record({
        type: "ApiKeyCreated",
        version: 1,
        key_id: made.id,
        tenant_id: input.tenant,
        occurred_at: occurredAt,
        correlation_id: ctx.state.correlationId,
        by_key_id: callerOf(ctx).keyId ?? "bootstrap",
        data: { name: input.name, scopes: input.scopes, rate_limit_per_minute: input.rate_limit_per_minute ?? null, key_hash: made.hash, key_prefix: made.prefix },
      }),
    );
    ctx.state.log.info({ key_id: made.id, tenant: input.tenant, scopes: input.scopes }, "API key created");
    ctx.status = 201;
    ctx.set("Cache-Control", "no-store");
    ctx.body = {
      id: made.id,
      key: made.key,
      tenant: input.tenant,
      name: input.name,
      scopes: input.scopes,
      rate_limit_per_minute: input.rate_limit_per_minute ?? null,
      created_at: occurredAt,
    };
  });

  router.get("/api/v1/admin/keys", admin, async (ctx) => {
    let lastUsed = new Map<string, string>();
    try {
      lastUsed = await access.lastUsed();
    } catch (err) {
      ctx.state.log.warn({ err }, "could not read when keys were last used");
    }
    ctx.set("Cache-Control", "no-store");
    ctx.body = { keys: listKeys(access.keys.registry).map((r) => keyView(r, lastUsed.get(r.id) ?? null)) };
  });

  router.delete("/api/v1/admin/keys/:key_id", admin, async (ctx) => {
    const parsed = KeyIdParam.safeParse(ctx.params.key_id ?? "");
    const record = parsed.success ? access.keys.registry.byId.get(parsed.data) : undefined;
    if (!record) throw notFound(`no API key ${ctx.params.key_id ?? ""}`);
    if (record.revokedAt === null) {
      await recorded(() =>
        access.keys.record({
          type: "ApiKeyRevoked",
          version: 1,
          key_id: record.id,
          tenant_id: record.tenant,
          occurred_at: new Date().toISOString(),
          correlation_id: ctx.state.correlationId,
          by_key_id: callerOf(ctx).keyId ?? "bootstrap",
          data: {},
        }),
      );
      ctx.state.log.info({ key_id: record.id }, "API key revoked");
    }
    ctx.status = 204;
  });

  return router;
}
