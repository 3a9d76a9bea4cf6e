// A process's last words: an uncaught exception, an unhandled rejection or a fatal
// configuration error becomes one JSON line on stderr, written before the process exits
// non-zero, so nothing a service prints is a raw stack trace. Imports only the logger:
// the telemetry preload installs the handlers before any other module loads.
import { pino } from "pino";
import type { ConfigError } from "./errors.ts";
import { createLogger, type Logger } from "./logger.ts";

/** sysexits' EX_CONFIG: the process cannot run with the configuration it was given. */
export const EX_CONFIG = 78;

let service = "chorus";
let installed = false;

/** Exit lines go to stderr, synchronously (so they are written before process.exit), whatever LOG_LEVEL says. */
function exitLogger(): Logger {
  return createLogger(service, "info", pino.destination({ dest: 2, sync: true }));
}

/** Logs one fatal JSON line on stderr and exits with `code`. */
export function exitFatally(code: number, message: string, fields: Record<string, unknown> = {}): never {
  exitLogger().fatal({ exit_code: code, ...fields }, message);
  process.exit(code);
}

/** An invalid configuration: its message (which names every bad variable) as one JSON line, then exit 78. */
export function exitWithConfigError(name: string, err: ConfigError): never {
  service = name;
  return exitFatally(EX_CONFIG, err.message);
}

/**
 * Replaces Node's default for an uncaught exception or unhandled rejection (a stack trace
 * on stderr, exit 1) with one JSON line and exit 1. Called again with the service's own
 * name once it is known; the handlers are installed once.
 */
export function installCrashHandlers(name: string): void {
  service = name;
  if (installed) return;
  installed = true;
  process.on("uncaughtException", (err, origin) => {
    // A rejected top-level await of the entry module arrives here with this origin.
    exitFatally(1, origin === "unhandledRejection" ? "unhandled rejection; exiting" : "uncaught exception; exiting", { err });
  });
  process.on("unhandledRejection", (reason) => {
    exitFatally(1, "unhandled rejection; exiting", { err: reason instanceof Error ? reason : new Error(String(reason)) });
  });
}
