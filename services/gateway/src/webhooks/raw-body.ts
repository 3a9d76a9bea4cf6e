// Reads a request body as the exact bytes sent: signatures are over the raw body, so it
// must not be parsed and re-serialised before it is verified.
import type { IncomingMessage } from "node:http";
import { ApiError } from "../errors.ts";

export async function rawBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    size += (part as Buffer).length;
    if (size > limitBytes) throw new ApiError("PayloadTooLarge", `request body is larger than ${limitBytes} bytes`);
    parts.push(part as Buffer);
  }
  return Buffer.concat(parts).toString("utf8");
}
