// Who may call Agent.Analyze: a caller holding the shared AGENT_GRPC_TOKEN, sent as the
// `authorization: Bearer <token>` metadata. Without a configured token nobody may: the
// RPC spends provider money, so it is closed until an operator opens it. Pure.
import { createHash, timingSafeEqual } from "node:crypto";

/** Long enough that guessing is hopeless: 32 characters, e.g. `openssl rand -hex 32` gives 64. */
export const MIN_AGENT_GRPC_TOKEN_LENGTH = 32;

export type CallVerdict = { admitted: true } | { admitted: false; reason: "not_configured" | "missing" | "invalid"; message: string };

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

// The same grammar as the gateway's Authorization header.
const BEARER = /^Bearer[ ]+(\S+)[ ]*$/i;

/**
 * The check for one configured token (undefined: none). Both sides are hashed first, so the
 * comparison is over equal-length digests and takes the same time whatever the caller sent.
 */
export function callCredentialCheck(token: string | undefined): (authorization: string | undefined) => CallVerdict {
  if (token === undefined) {
    const refused: CallVerdict = {
      admitted: false,
      reason: "not_configured",
      message: "Agent.Analyze is closed: set AGENT_GRPC_TOKEN on the agents service and send it as `authorization: Bearer <token>`",
    };
    return () => refused;
  }
  const expected = digest(token);
  return (authorization) => {
    const given = authorization === undefined ? null : BEARER.exec(authorization)?.[1];
    if (!given) return { admitted: false, reason: "missing", message: "a credential is required: send the metadata `authorization: Bearer <AGENT_GRPC_TOKEN>`" };
    if (!timingSafeEqual(digest(given), expected)) return { admitted: false, reason: "invalid", message: "the credential is not valid" };
    return { admitted: true };
  };
}
