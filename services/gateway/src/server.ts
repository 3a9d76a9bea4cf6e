// Serves the app over HTTP and stops it gracefully: readiness fails and waiting POSTs
// answer 202 at once, new connections are refused, in-flight requests finish.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp } from "./app.ts";
import type { GatewayDeps } from "./deps.ts";

export type Gateway = {
  server: Server;
  /** e.g. http://127.0.0.1:54321 */
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish, closes the server. Connections are the caller's. */
  stop(): Promise<void>;
};

export async function startGateway(deps: GatewayDeps & { port: number; host?: string }): Promise<Gateway> {
  const stopping = new AbortController();
  const app = createApp({ ...deps, stopping: deps.stopping ? AbortSignal.any([deps.stopping, stopping.signal]) : stopping.signal });
  // A client gets API_REQUEST_TIMEOUT_MS to send its whole request (a slow upload is cut off
  // with 408); the answer may then take as long as the wait bound. Checked every second.
  const requestTimeout = deps.settings.requestTimeoutMs ?? 30_000;
  const server = createServer({ requestTimeout, headersTimeout: Math.min(requestTimeout, 30_000), connectionsCheckingInterval: 1_000 }, app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(deps.port, deps.host ?? "0.0.0.0", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = deps.host && deps.host !== "0.0.0.0" && deps.host !== "::" ? deps.host : "127.0.0.1";
  let stopped: Promise<void> | undefined;
  return {
    server,
    port,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    stop: () =>
      (stopped ??= new Promise<void>((resolve, reject) => {
        stopping.abort();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
      })),
  };
}
