// Graceful shutdown on SIGTERM/SIGINT: run the service's closers in order (stop
// pulling, finish in-flight work, ack, close connections), bounded by a timeout; several
// services of one process stop together, and the process exits when the last has. Before
// the first service installs its closers, a signal simply ends the start. A process started by a
// supervisor over an IPC channel (`npm start`) also stops when that channel closes: the
// supervisor is gone (even by SIGKILL), and a service left behind would hold its ports.
import type { Logger } from "./logger.ts";

export type Closer = { name: string; close: () => Promise<unknown> | unknown };

const SIGNALS = ["SIGTERM", "SIGINT"] as const;

/**
 * The stops of every service started in this process (several run in one process under
 * services/run.ts): one signal stops them all, together, and the process exits once the
 * last has finished, never while another is still finishing its work.
 */
const registered: { logger: Logger; stop: () => Promise<void>; begun?: Promise<void> }[] = [];
/** Why the process is stopping, once a signal or the supervisor's end has begun it. */
let stoppingAll: Record<string, unknown> | undefined;

/** Once per service: its "shutting down" line (a warning when its supervisor is gone), then its closers. */
function stopOne(service: (typeof registered)[number], why: Record<string, unknown>): Promise<void> {
  service.begun ??= (() => {
    if (why.supervisor) service.logger.warn("the supervisor that started this process is gone; shutting down");
    else service.logger.info(why, "shutting down");
    return service.stop();
  })();
  return service.begun;
}

/** Stops every registered service, also one that registers while the others stop (it was still starting), then exits 0. */
async function stopEveryServiceThenExit(why: Record<string, unknown>): Promise<void> {
  if (stoppingAll) return;
  stoppingAll = why;
  for (let stopped = 0; stopped < registered.length; ) {
    const batch = registered.slice(stopped);
    stopped = registered.length;
    await Promise.all(batch.map((service) => stopOne(service, why)));
  }
  process.exit(0);
}

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
  // Another service of this process has started: a signal stops it, and ends this start with the process.
  if (stopWhileStarting || registered.length > 0) return;
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
  const service = { logger, stop };
  registered.push(service);
  // A service that finishes starting after the others began stopping stops at once (and the exit waits for it).
  if (stoppingAll) void stopOne(service, stoppingAll);
  if (registered.length === 1) {
    for (const signal of SIGNALS) process.once(signal, () => void stopEveryServiceThenExit({ signal }));
    whenSupervisorGone(() => void stopEveryServiceThenExit({ supervisor: "gone" }));
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
