// The JSON body of every error answer, as documented in the OpenAPI document. The errors
// themselves are ../errors.ts; error-mapping.ts turns them into this body.
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
