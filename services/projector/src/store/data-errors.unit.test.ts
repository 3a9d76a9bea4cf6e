// Which errors say the event can never be stored (isolate it, then dead-letter it) and
// which say only that Postgres is away or busy (retry the batch for as long as it takes).
import { describe, expect, it } from "vitest";
import {
  BackendTerminatedUnexpectedlyError,
  CheckIntegrityConstraintViolationError,
  ConnectionError,
  InvalidInputError,
  NotNullIntegrityConstraintViolationError,
  StatementTimeoutError,
  UniqueIntegrityConstraintViolationError,
} from "slonik";
import { describeDataError, isDataError, UnprojectableEventError } from "./data-errors.ts";

type PgFields = { code: string; detail?: string };
const pgError = (message: string, fields: PgFields) => Object.assign(new Error(message), { severity: "ERROR", ...fields });

describe("telling data errors from outages", () => {
  it("counts data exceptions, lasting integrity violations, values too large and what the projection itself refused", () => {
    for (const err of [
      pgError('invalid byte sequence for encoding "UTF8": 0x00', { code: "22021" }),
      pgError("unsupported Unicode escape sequence", { code: "22P05" }),
      pgError("integer out of range", { code: "22003" }),
      new CheckIntegrityConstraintViolationError(pgError("violates check constraint", { code: "23514" })),
      new NotNullIntegrityConstraintViolationError(pgError("null value", { code: "23502" })),
      pgError("index row size exceeds maximum", { code: "54000" }),
      new InvalidInputError("invalid input syntax for type json"),
      new UnprojectableEventError("no projection for event type Nope"),
    ]) {
      expect(isDataError(err), String(err)).toBe(true);
    }
  });

  it("counts nothing that a later try could get past: no connection, a reset, a timeout, a conflict, a missing table", () => {
    for (const err of [
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
      new ConnectionError("pool is ending"),
      new BackendTerminatedUnexpectedlyError(new Error("Connection terminated unexpectedly")),
      new StatementTimeoutError(pgError("canceling statement due to statement timeout", { code: "57014" })),
      pgError("could not serialize access", { code: "40001" }),
      pgError("deadlock detected", { code: "40P01" }),
      pgError('relation "read_model.requests" does not exist', { code: "42P01" }),
      pgError("sorry, too many clients already", { code: "53300" }),
      new UniqueIntegrityConstraintViolationError(pgError("duplicate key value", { code: "23505" })),
      new Error("something else"),
    ]) {
      expect(isDataError(err), String(err)).toBe(false);
    }
  });

  it("describes a refusal by Postgres's message, SQLSTATE and detail, found behind slonik's wrapper", () => {
    const wrapped = new CheckIntegrityConstraintViolationError(pgError("new row violates check constraint", { code: "23514", detail: "Failing row contains (x)." }));
    expect(describeDataError(wrapped)).toBe("new row violates check constraint (SQLSTATE 23514): Failing row contains (x).");
    expect(describeDataError(new InvalidInputError("invalid input syntax for type json"))).toBe("invalid input syntax for type json");
  });
});
