// The API's error values: each carries its HTTP status and the `error` name clients
// switch on. Thrown anywhere below the routes, turned into JSON by the one error middleware.
import { z } from "zod";

export const ErrorDetail = z
  .object({
    field: z.string().describe("The field, query parameter or header that is wrong; `body` for the body as a whole"),
    message: z.string(),
  })
  .meta({ example: { field: "text", message: "text must be at least 10 characters (Unicode code points), got 9" } });
export type ErrorDetail = z.infer<typeof ErrorDetail>;

export const ErrorBody = z
  .object({
    error: z.string().describe("Machine-readable error type, e.g. ValidationError, NotFound, Unavailable"),
    message: z.string(),
    request_id: z.string().optional(),
    details: z.array(ErrorDetail).optional(),
  })
  .meta({ example: { error: "NotFound", message: "no request 0b9f5c1e-4a8a-4d0c-9b56-3f1f0f2a9e11", request_id: "0b9f5c1e-4a8a-4d0c-9b56-3f1f0f2a9e11" } });
export type ErrorBody = z.infer<typeof ErrorBody>;

export class ApiError extends Error {
  override name = "ApiError";
  readonly status: number;
  readonly error: string;
  readonly requestId: string | undefined;
  readonly details: ErrorDetail[] | undefined;
  readonly headers: Record<string, string>;
  constructor(
    status: number,
    error: string,
    message: string,
    options: { requestId?: string; details?: ErrorDetail[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.status = status;
    this.error = error;
    this.requestId = options.requestId;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }

  toBody(): ErrorBody {
    return {
      error: this.error,
      message: this.message,
      ...(this.requestId ? { request_id: this.requestId } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export const validationError = (details: ErrorDetail[]) =>
  new ApiError(422, "ValidationError", `invalid request: ${details.map((d) => `${d.field}: ${d.message}`).join("; ")}`, { details });

export const notFound = (message: string, requestId?: string) => new ApiError(404, "NotFound", message, { requestId });

export const unavailable = (what: string, cause?: unknown, requestId?: string) =>
  new ApiError(503, "Unavailable", `${what} is unavailable; try again shortly`, { cause, requestId, headers: { "Retry-After": "5" } });

export const internalError = (cause?: unknown) => new ApiError(500, "InternalError", "internal error", { cause });
