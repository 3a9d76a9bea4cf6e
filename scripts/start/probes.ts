// Asking whether something answers: a TCP connect for NATS and Postgres, /readyz for
// the services, and a bounded wait around either.
import { connect } from "node:net";
import type { Endpoint } from "./endpoints.ts";

/** True when a TCP connection to the endpoint opens within `timeoutMs`. */
export function answersTcp({ host, port }: Endpoint, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

export type Readiness = { ready: boolean; detail: string };

/** One look at a service's /readyz: ready on 200, else what it said (or why it did not answer). */
export async function readyz(port: number): Promise<Readiness> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(3_000) });
    const body = (await res.text()).slice(0, 300);
    return { ready: res.status === 200, detail: `${res.status} ${body}` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { ready: false, detail: cause ?? (err instanceof Error ? err.message : String(err)) };
  }
}

export class WaitTimeout extends Error {
  override name = "WaitTimeout";
}

/** Calls `probe` every `everyMs` until it returns true; throws WaitTimeout after `timeoutMs`. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number, everyMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() >= deadline) throw new WaitTimeout(`${what} did not answer within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
