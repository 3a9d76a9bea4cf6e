// The sender's protections against its receiver, against real sockets: a connection that
// never completes, an answer that never comes, a body that never ends.
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { sendWebhook } from "./send.ts";

const opened: Array<HttpServer | TcpServer> = [];
const sockets = new Set<Socket>();

async function listen<S extends HttpServer | TcpServer>(server: S): Promise<number> {
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  opened.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as { port: number }).port;
}

afterEach(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(opened.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const send = (url: string, options: { timeoutMs: number; connectTimeoutMs?: number; maxResponseBytes?: number }) =>
  sendWebhook(url, "{}", {}, { ...options, allowPrivate: true });

describe("sending one attempt", () => {
  it("gives up on a connection whose TLS handshake never completes at the connect timeout, not the total one", async () => {
    // Accepts TCP and then says nothing: an https client never gets its handshake.
    const port = await listen(createTcpServer(() => undefined));
    const response = await send(`https://127.0.0.1:${port}/hook`, { timeoutMs: 60_000, connectTimeoutMs: 300 });
    expect(response).toEqual({ kind: "no-answer", error: "no connection within 300 ms" });
  });

  it("gives up on a receiver that takes the request and never answers at the total timeout", async () => {
    const port = await listen(createHttpServer(() => undefined));
    const response = await send(`http://127.0.0.1:${port}/hook`, { timeoutMs: 400, connectTimeoutMs: 60_000 });
    expect(response).toEqual({ kind: "no-answer", error: "no answer within 400 ms" });
  });

  it("takes the status of an answer whose body never ends once the cap is read, instead of timing out", async () => {
    const port = await listen(
      createHttpServer((_req, res) => {
        res.writeHead(200, { "content-type": "text/plain" });
        const chunk = "x".repeat(16 * 1024);
        const more = setInterval(() => res.write(chunk), 5);
        res.on("close", () => clearInterval(more));
      }),
    );
    const response = await send(`http://127.0.0.1:${port}/hook`, { timeoutMs: 60_000, maxResponseBytes: 64 * 1024 });
    expect(response).toEqual({ kind: "answered", statusCode: 200, retryAfter: undefined });
  });

  it("reads a short answer whole and passes Retry-After on", async () => {
    const port = await listen(createHttpServer((_req, res) => res.writeHead(503, { "retry-after": "7" }).end("busy")));
    const response = await send(`http://127.0.0.1:${port}/hook`, { timeoutMs: 60_000 });
    expect(response).toEqual({ kind: "answered", statusCode: 503, retryAfter: "7" });
  });
});
