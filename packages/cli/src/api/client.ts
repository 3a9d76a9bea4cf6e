// The Chorus REST API as the CLI uses it: JSON over fetch with the API key, answers
// parsed by the contracts' schemas, failures as typed errors that map to exit codes
// (see exit-codes.ts): the API's own error (with its type and message), or no answer.
import { RequestErasure, RequestView, ResultsPage, WebhookLogs, type ChorusEvent } from "@chorus/contracts";
import { z } from "zod";

export type ApiSettings = { baseUrl: string; apiKey: string | undefined };

/** The API answered with an error: `type` is its `error` field (ValidationError, NotFound, …). */
export class ApiAnswerError extends Error {
  override name = "ApiAnswerError";
  readonly status: number;
  readonly type: string;
  constructor(status: number, type: string, message: string) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

/** No answer: the gateway is not there, or the connection failed. */
export class UnreachableError extends Error {
  override name = "UnreachableError";
}

const ErrorBody = z.object({ error: z.string(), message: z.string() });
export const ApiKeyView = z
  .object({ id: z.string(), tenant: z.string(), name: z.string(), scopes: z.array(z.string()), key_prefix: z.string(), created_at: z.string(), last_used_at: z.string().nullable(), revoked_at: z.string().nullable() })
  .loose();
export type ApiKeyView = z.infer<typeof ApiKeyView>;
/** The answer that creates a key: the key itself, once. */
export const CreatedKey = z.object({ id: z.string(), key: z.string(), tenant: z.string(), name: z.string(), scopes: z.array(z.string()), created_at: z.string() }).loose();

export type ChorusApi = ReturnType<typeof chorusApi>;

export function chorusApi(settings: ApiSettings) {
  const headers = (extra: Record<string, string> = {}) => ({ ...(settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {}), ...extra });

  async function call(path: string, init: RequestInit = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(new URL(path, settings.baseUrl), { ...init, headers: headers(init.headers as Record<string, string> | undefined) });
    } catch (err) {
      throw new UnreachableError(`no answer from ${settings.baseUrl}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`, { cause: err });
    }
    if (res.status >= 400) {
      const body = ErrorBody.safeParse(await res.json().catch(() => null));
      throw new ApiAnswerError(res.status, body.success ? body.data.error : `HTTP ${res.status}`, body.success ? body.data.message : res.statusText);
    }
    return res;
  }

  const json = async <S extends z.ZodType>(schema: S, path: string, init?: RequestInit): Promise<z.infer<S>> => schema.parse(await (await call(path, init)).json());

  return {
    submit: (body: Record<string, unknown>, options: { wait: boolean }) =>
      json(RequestView, "/api/v1/process", {
        method: "POST",
        headers: { "content-type": "application/json", ...(options.wait ? {} : { prefer: "respond-async" }) },
        body: JSON.stringify(body),
      }),
    get: (id: string) => json(RequestView, `/api/v1/results/${encodeURIComponent(id)}`),
    erase: (id: string) => json(RequestErasure, `/api/v1/results/${encodeURIComponent(id)}`, { method: "DELETE" }),
    list: (query: { status?: string; mode?: string; agent?: string; page?: number; pageSize?: number }) => {
      const q = new URLSearchParams();
      if (query.status) q.set("status", query.status);
      if (query.mode) q.set("orchestration_mode", query.mode);
      if (query.agent) q.set("agent", query.agent);
      if (query.page) q.set("page", String(query.page));
      if (query.pageSize) q.set("page_size", String(query.pageSize));
      return json(ResultsPage, `/api/v1/results?${q}`);
    },
    webhookLog: (id: string) => json(WebhookLogs, `/api/v1/webhook-logs/${encodeURIComponent(id)}`),
    createKey: (body: { tenant: string; name: string; scopes: string[]; rate_limit_per_minute?: number }) =>
      json(CreatedKey, "/api/v1/admin/keys", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    listKeys: () => json(z.object({ keys: z.array(ApiKeyView) }), "/api/v1/admin/keys"),
    revokeKey: (id: string) => call(`/api/v1/admin/keys/${encodeURIComponent(id)}`, { method: "DELETE" }).then(() => undefined),
    retryWebhook: (id: string) => call(`/api/v1/webhook/retry/${encodeURIComponent(id)}`, { method: "POST" }).then((r) => r.json() as Promise<unknown>),
    /** The request's events as the gateway's SSE stream sends them, until its end event. */
    async *events(id: string): AsyncGenerator<ChorusEvent> {
      const res = await call(`/api/v1/results/${encodeURIComponent(id)}/events`, { headers: { accept: "text/event-stream" } });
      if (!res.body) return;
      const decoder = new TextDecoder();
      let buffer = "";
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame
            .split("\n")
            .filter((line) => line.startsWith("data:"))
            .map((line) => line.slice(5).trimStart())
            .join("\n");
          if (data) yield JSON.parse(data) as ChorusEvent;
        }
      }
    },
  };
}
