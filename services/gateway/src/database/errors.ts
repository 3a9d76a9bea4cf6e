// Which database failures mean "Postgres is not reachable right now" (answer 503 and
// let the client retry) as opposed to a bug (answer 500 and log it).
import { BackendTerminatedError, BackendTerminatedUnexpectedlyError, ConnectionError, StatementTimeoutError } from "slonik";

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "EAI_AGAIN"]);

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (
      e instanceof ConnectionError ||
      e instanceof BackendTerminatedError ||
      e instanceof BackendTerminatedUnexpectedlyError ||
      e instanceof StatementTimeoutError
    ) {
      return true;
    }
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (NETWORK_CODES.has(code) || /^(08|57P|53)/.test(code))) return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === "string" && /connection (terminated|timeout|pool is being terminated)|timeout exceeded when trying to connect/i.test(message)) return true;
  }
  return false;
}
