// Typed errors shared by every service. Each carries a code that the one place which
// talks to the outside (HTTP middleware, gRPC handler) maps to a status.
export type ChorusErrorCode =
  | "ValidationError"
  | "NotFound"
  | "Conflict"
  | "Unavailable"
  | "Unauthorized"
  | "PayloadTooLarge"
  | "MalformedRequest"
  | "Internal";

export class ChorusError extends Error {
  override name = "ChorusError";
  readonly code: ChorusErrorCode;
  readonly details: unknown;
  constructor(code: ChorusErrorCode, message: string, options?: { cause?: unknown; details?: unknown }) {
    super(message, { cause: options?.cause });
    this.code = code;
    this.details = options?.details;
  }
}

export class ConfigError extends Error {
  override name = "ConfigError";
}
