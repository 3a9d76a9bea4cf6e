// Graceful shutdown on SIGTERM/SIGINT: run the service's closers in order (stop
// pulling, finish in-flight work, ack, close connections), bounded by a timeout. Before
// the service installs its closers, a signal simply ends the start. A process started by a
// supervisor over an IPC channel (`npm start`) also stops when that channel closes: the
// supervisor is gone (even by SIGKILL), and a service left behind would hold its ports.
import type { Logger } from "./logger.ts";

export type Closer = { name: string; close: () => Promise<unknown> | unknown };

const SIGNALS = ["SIGTERM", "SIGINT"] as const;

let stopWhileStarting: ((signal: NodeJS.Signals) => void) | undefined;
let supervisorGoneWhileStarting: (() => void) | undefined;

/** Calls `handler` once the supervisor that started this process over IPC is gone; nothing without one. */
function whenSupervisorGone(handler: () => void): void {
  if (!process.channel) return;
  // The channel alone must not keep a process alive that has nothing else to do.
  process.channel.unref();
  process.once("disconnect", handler);
}

/**
 * Until onShutdown takes over, SIGTERM/SIGINT end a process that is still starting (say,
 * waiting for NATS) at once, with a log line and exit 0: it has taken no work yet.
 */
export function exitOnSignalWhileStarting(logger: Logger): void {
  if (stopWhileStarting) return;
  stopWhileStarting = (signal) => {
    logger.info({ signal }, "stopped while starting");
    process.exit(0);
  };
  for (const signal of SIGNALS) process.on(signal, stopWhileStarting);
  supervisorGoneWhileStarting = () => {
    logger.info("the supervisor that started this process is gone; stopped while starting");
    process.exit(0);
  };
  whenSupervisorGone(supervisorGoneWhileStarting);
}

export function onShutdown(logger: Logger, closers: Closer[], timeoutMs: number): () => Promise<void> {
  if (stopWhileStarting) {
    for (const signal of SIGNALS) process.off(signal, stopWhileStarting);
    stopWhileStarting = undefined;
  }
  if (supervisorGoneWhileStarting) {
    process.off("disconnect", supervisorGoneWhileStarting);
    supervisorGoneWhileStarting = undefined;
  }
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
  for (const signal of SIGNALS) {
    process.once(signal, () => {
      logger.info({ signal }, "shutting down");
      void stop().then(() => process.exit(0));
    });
  }
  whenSupervisorGone(() => {
    logger.warn("the supervisor that started this process is gone; shutting down");
    void stop().then(() => process.exit(0));
  });
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
