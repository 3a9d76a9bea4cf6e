// The lists the README gives a client to switch on — error types with their HTTP statuses,
// request and webhook statuses — checked against the code that decides them, so the front
// door cannot drift from the API again.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { REQUEST_STATUSES, WebhookSummary } from "@chorus/contracts";
import { HTTP_STATUS } from "./error-mapping.ts";

const README = readFileSync(new URL("../../../../README.md", import.meta.url), "utf8");

/** The README's error list: the paragraph from "Every error is" to "never a stack trace", as code → status. */
function documentedErrors(): Map<string, number> {
  const start = README.indexOf("Every error is");
  const end = README.indexOf("never a stack trace", start);
  expect(start, "README: the error list").toBeGreaterThan(-1);
  const list = README.slice(README.indexOf(":\n", start) + 2, end);
  const documented = new Map<string, number>();
  // "409 `NoWebhook` / `NotEnded` (…), 410 `Gone` …": a status, then its codes up to the next status.
  for (const group of list.split(/(?=\b\d{3} `)/)) {
    const status = Number(/^(\d{3}) /.exec(group)?.[1]);
    for (const [, code] of group.matchAll(/`(\w+)`/g)) if (status) documented.set(code as string, status);
  }
  return documented;
}

describe("README's lists", () => {
  it("names every error type with the status the gateway answers it with, and no other", () => {
    expect(Object.fromEntries(documentedErrors())).toEqual(HTTP_STATUS);
  });

  it("explains every webhook status and names every request status", () => {
    for (const status of WebhookSummary.shape.status.options) expect(README, status).toContain(`| \`${status}\` |`);
    for (const status of REQUEST_STATUSES) expect(README, status).toContain(`\`${status}\``);
  });
});
