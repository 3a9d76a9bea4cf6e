// Graceful shutdown on SIGTERM/SIGINT: run the service's closers in order (stop
// pulling, finish in-flight work, ack, close connections), bounded by a timeout.
import type { Logger } from "./logger.ts";

export type Closer = { name: string; close: () => Promise<unknown> | unknown };

export function onShutdown(logger: Logger, closers: Closer[], timeoutMs: number): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      const timer = setTimeout(() => {
        logger.error({ timeout_ms: timeoutMs }, "shutdown timed out; exiting");
        process.exit(1);
      }, timeoutMs);
      timer.unref();
      for (const c of closers) {
        try {
          await c.close();
        } catch (err) {
          logger.warn({ err, step: c.name }, "shutdown step failed");
        }
      }
      clearTimeout(timer);
      logger.info("stopped");
    })());
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      logger.info({ signal }, "shutting down");
      void stop().then(() => process.exit(0));
    });
  }
  return stop;
}

/** What a gRPC server offers for stopping (grpc-js's Server), typed here without importing it. */
export type StoppableGrpcServer = { tryShutdown(callback: (error?: Error) => void): void; forceShutdown(): void };

/** Lets in-flight calls finish, then forces the server down after `graceMs`. */
export function stopGrpcServer(server: StoppableGrpcServer, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    force.unref();
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
