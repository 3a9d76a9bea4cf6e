// Turns zod's issues into the API's error details, and parses input or throws a 422.
import type { z } from "zod";
import { validationError, type ErrorDetail } from "../errors.ts";

function issuesToDetails(issues: readonly z.core.$ZodIssue[], root = "body"): ErrorDetail[] {
  return issues.map((issue) => ({
    field: issue.path.length ? issue.path.map(String).join(".") : root,
    message: issue.message,
  }));
}

/** Parses `input` with `schema`; every issue becomes one detail of a 422. */
export function parseOr422<S extends z.ZodType>(schema: S, input: unknown, root = "body"): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw validationError(issuesToDetails(parsed.error.issues, root));
  return parsed.data;
}
