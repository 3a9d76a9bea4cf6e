// The correlation id that ties a client's call to every log line and event it causes:
// taken from X-Correlation-ID or X-Request-ID when it is sane, else a new one.
import { randomUUID } from "node:crypto";

const SANE = /^[\x21-\x7E]{1,200}$/;

export function correlationIdFrom(headers: Record<string, string | string[] | undefined>): string {
  for (const name of ["x-correlation-id", "x-request-id"]) {
    const raw = headers[name];
    const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
    if (value && SANE.test(value)) return value;
  }
  return randomUUID();
}
