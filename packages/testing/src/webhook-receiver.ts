// A real webhook receiver on loopback for tests: records every POST (raw body, headers,
// arrival time) and answers from a script: a queue of replies, then a default one.
// A reply may hang (never answer) to trip the sender's timeout.
import { createServer, type IncomingHttpHeaders } from "node:http";

/** `delayMs`: answer that long after the request arrived (a slow receiver). */
export type ReceiverReply = { status: number; headers?: Record<string, string>; hang?: boolean; delayMs?: number };

export type ReceivedWebhook = { path: string; body: string; headers: IncomingHttpHeaders; at: number; answered: number | "hung" };

export type WebhookReceiver = {
  /** e.g. http://127.0.0.1:5555/hook */
  url: string;
  received: ReceivedWebhook[];
  /** Replies used one per POST, in order, before the default. */
  enqueue(...replies: ReceiverReply[]): void;
  respondWith(reply: ReceiverReply): void;
  close(): Promise<void>;
};

export async function startWebhookReceiver(defaultReply: ReceiverReply = { status: 204 }): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const queue: ReceiverReply[] = [];
  let fallback = defaultReply;
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (p: Buffer) => parts.push(p));
    req.on("end", () => {
      const reply = queue.shift() ?? fallback;
      received.push({ path: req.url ?? "/", body: Buffer.concat(parts).toString("utf8"), headers: req.headers, at: Date.now(), answered: reply.hang ? "hung" : reply.status });
      if (reply.hang) return;
      const answer = () => {
        res.writeHead(reply.status, reply.headers);
        res.end();
      };
      if (reply.delayMs) setTimeout(answer, reply.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    enqueue: (...replies) => void queue.push(...replies),
    respondWith: (reply) => {
      fallback = reply;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
