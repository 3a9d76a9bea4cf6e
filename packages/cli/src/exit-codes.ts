// Exit codes a script can rely on, and which error means which.
import { ApiAnswerError, UnreachableError } from "./api/client.ts";

export const EXIT = {
  ok: 0,
  /** The request failed (or ended partial), or the API refused what was asked (4xx other than 401/403). */
  failed: 1,
  /** The command line was wrong. */
  usage: 2,
  /** No answer from the gateway, or the key was refused (401/403). */
  unreachable: 3,
} as const;

export function exitCodeOf(err: unknown): number {
  if (err instanceof UnreachableError) return EXIT.unreachable;
  if (err instanceof ApiAnswerError) return err.status === 401 || err.status === 403 ? EXIT.unreachable : EXIT.failed;
  return EXIT.failed;
}
