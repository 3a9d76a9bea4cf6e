// A real OpenAI-compatible HTTP server for tests: `POST /v1/chat/completions` and
// `GET /v1/models` over node:http, answering from a script (a queue of replies, then a
// responder), recording every request, and optionally enforcing a rate limit with 429s.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";

export type ScriptedReply = {
  status?: number;
  headers?: Record<string, string>;
  /** JSON-encoded unless a string. */
  body?: unknown;
  /** Held this long before answering (to trip a client's timeout). */
  delayMs?: number;
  /** Held until this settles (a test lets the answer go once it has seen the call in flight). */
  heldUntil?: Promise<unknown>;
};

export type ChatMessageIn = { role: string; content: string };
export type ChatRequestBody = {
  model: string;
  messages: ChatMessageIn[];
  response_format?: { type: string; json_schema?: { name: string; schema?: unknown; strict?: boolean } };
  [key: string]: unknown;
};

export type RecordedRequest = {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (chat requests), else null. */
  body: ChatRequestBody | null;
  /** The status this server answered with. */
  status: number;
  at: number;
};

export type Responder = (request: RecordedRequest) => ScriptedReply;

export type RateLimitScript = { requests: number; windowMs: number };

export type ScriptedOpenAiServer = {
  /** For OPENAI_BASE_URL / the SDK's baseURL: `http://127.0.0.1:<port>/v1`. */
  baseURL: string;
  /** Every request, in arrival order. */
  requests: RecordedRequest[];
  /** Chat-completion requests only. */
  chatRequests(): RecordedRequest[];
  /** Replies used one per chat request, in order, before the responder. */
  enqueue(...replies: ScriptedReply[]): void;
  /** Answers chat requests once the queue is empty (default: a 500 saying nothing was scripted). */
  respondWith(responder: Responder): void;
  /** A continuously refilling bucket of `requests` per `windowMs`; beyond it, 429 with Retry-After. */
  rateLimit(limit: RateLimitScript | null): void;
  /** How many chat requests were answered with each status. */
  statusCounts(): Record<number, number>;
  close(): Promise<void>;
};

export type Usage = { prompt_tokens: number; completion_tokens: number; total_tokens: number };

/** A chat.completion body whose message content is `content` (JSON-encoded unless a string). */
export function chatCompletion(content: unknown, options: { model?: string; usage?: Usage; finishReason?: string; refusal?: string } = {}) {
  const usage = options.usage ?? { prompt_tokens: 50, completion_tokens: 20, total_tokens: 70 };
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: options.model ?? "gpt-4o-mini-2024-07-18",
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: options.refusal ? null : typeof content === "string" ? content : JSON.stringify(content),
          refusal: options.refusal ?? null,
        },
        logprobs: null,
        finish_reason: options.finishReason ?? "stop",
      },
    ],
    usage,
  };
}

/** A reply with a chat completion of `content`. */
export function completionReply(content: unknown, options: Parameters<typeof chatCompletion>[1] = {}): ScriptedReply {
  return { status: 200, body: chatCompletion(content, options) };
}

/** An error reply in OpenAI's shape. */
export function errorReply(status: number, message: string, headers: Record<string, string> = {}): ScriptedReply {
  const type = status === 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error" : "invalid_request_error";
  return { status, headers, body: { error: { message, type, param: null, code: null } } };
}

/** The agent (json_schema name) a chat request asks for, if any. */
export function schemaNameOf(request: RecordedRequest): string | undefined {
  return request.body?.response_format?.json_schema?.name;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

export async function startOpenAiServer(): Promise<ScriptedOpenAiServer> {
  const requests: RecordedRequest[] = [];
  const queue: ScriptedReply[] = [];
  let responder: Responder = () => errorReply(500, "the test scripted no reply for this request");
  let limit: RateLimitScript | null = null;
  let bucket = { level: 0, at: 0 };
  const timers = new Set<NodeJS.Timeout>();

  /** Takes one request from the bucket, or says how long until one is there. */
  const admit = (now: number): number => {
    if (!limit) return 0;
    const rate = limit.requests / limit.windowMs;
    bucket = { level: Math.min(limit.requests, bucket.level + (now - bucket.at) * rate), at: now };
    if (bucket.level >= 1) {
      bucket.level -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.level) / rate);
  };

  const send = (res: ServerResponse, reply: ScriptedReply) => {
    const status = reply.status ?? 200;
    const body = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body ?? {});
    res.writeHead(status, { "content-type": "application/json", ...reply.headers });
    res.end(body);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      const record: RecordedRequest = { method: req.method ?? "GET", path, headers: req.headers, body: null, status: 0, at: Date.now() };
      requests.push(record);
      let reply: ScriptedReply;
      if (req.method === "GET" && path === "/v1/models") {
        reply = { status: 200, body: { object: "list", data: [{ id: "gpt-4o-mini", object: "model", created: 0, owned_by: "scripted" }] } };
      } else if (req.method === "POST" && path === "/v1/chat/completions") {
        try {
          record.body = JSON.parse(raw) as ChatRequestBody;
        } catch {
          reply = errorReply(400, "the body is not JSON");
        }
        const waitMs = admit(Date.now());
        reply ??=
          waitMs > 0
            ? errorReply(429, "Rate limit reached for requests", { "retry-after": String(Math.ceil(waitMs / 1000)), "retry-after-ms": String(waitMs) })
            : (queue.shift() ?? responder(record));
      } else {
        reply = errorReply(404, `no route ${req.method} ${path}`);
      }
      record.status = reply.status ?? 200;
      if (reply.heldUntil) {
        const answer = () => {
          if (!res.destroyed) send(res, reply);
        };
        reply.heldUntil.then(answer, answer);
      } else if (reply.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed) send(res, reply);
        }, reply.delayMs);
        timers.add(timer);
        res.on("close", () => {
          clearTimeout(timer);
          timers.delete(timer);
        });
      } else {
        send(res, reply);
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    chatRequests: () => requests.filter((r) => r.path === "/v1/chat/completions"),
    enqueue: (...replies) => void queue.push(...replies),
    respondWith: (r) => {
      responder = r;
    },
    rateLimit: (l) => {
      limit = l;
      bucket = { level: l?.requests ?? 0, at: Date.now() };
    },
    statusCounts: () => {
      const counts: Record<number, number> = {};
      for (const r of requests) if (r.path === "/v1/chat/completions") counts[r.status] = (counts[r.status] ?? 0) + 1;
      return counts;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
