import { describe, expect, it } from "vitest";
import { RequestView, pendingResult } from "@chorus/contracts";
import { agentResultFromRow, viewFromRows, type AgentResultRow, type RequestRow } from "./rows.ts";

const id = "0b9f5c1e-4a8a-4d0c-9b56-3f1f0f2a9e11";
const request: RequestRow = {
  request_id: id,
  status: "processing",
  orchestration_mode: "sequential",
  agents: ["entity_extractor", "summarizer"],
  created_at: Date.parse("2026-11-24T10:00:00.000Z"),
  completed_at: null,
  webhook_url: null,
  webhook_status: null,
  webhook_attempts: 0,
  webhook_last_status_code: null,
  webhook_delivered_at: null,
  projection_error: null,
};
const row = (over: Partial<AgentResultRow>): AgentResultRow => ({
  request_id: id,
  agent: "entity_extractor",
  status: "running",
  provider: "local",
  model: "compromise",
  duration_ms: null,
  prompt_tokens: null,
  completion_tokens: null,
  total_tokens: null,
  output: null,
  error_code: null,
  error_message: null,
  ...over,
});

describe("viewFromRows", () => {
  it("maps a request row to the view, showing agents without a row as pending", () => {
    const view = RequestView.strict().parse(viewFromRows(request, [row({})]));
    expect(view).toEqual({
      request_id: id,
      status: "processing",
      orchestration_mode: "sequential",
      agents: ["entity_extractor", "summarizer"],
      created_at: "2026-11-24T10:00:00.000Z",
      completed_at: null,
      results: {
        entity_extractor: { status: "running", provider: "local", model: "compromise", duration_ms: null, usage: null, error: null, output: null },
        summarizer: pendingResult(),
      },
      webhook: null,
    });
  });

  it("maps the webhook columns, and timestamps given as Date or string", () => {
    const view = viewFromRows(
      {
        ...request,
        status: "completed",
        completed_at: new Date("2026-11-24T10:00:00.500Z"),
        webhook_url: "https://r.example/h",
        webhook_status: "exhausted",
        webhook_attempts: 5,
        webhook_last_status_code: 503,
        webhook_delivered_at: null,
      },
      [],
    );
    expect(view.completed_at).toBe("2026-11-24T10:00:00.500Z");
    expect(view.webhook).toEqual({ url: "https://r.example/h", status: "exhausted", attempts: 5, last_status_code: 503, delivered_at: null });
    const delivered = viewFromRows({ ...request, webhook_url: "https://r.example/h", webhook_status: null, webhook_delivered_at: "2026-11-24T10:00:01Z" }, []);
    expect(delivered.webhook).toMatchObject({ status: "pending", delivered_at: "2026-11-24T10:00:01.000Z" });
  });

  it("shows a projection error only when the projector recorded one", () => {
    expect(viewFromRows(request, [])).not.toHaveProperty("projection_error");
    const failed = viewFromRows({ ...request, projection_error: "RequestAccepted at #7: text holds U+0000" }, []);
    expect(failed.projection_error).toBe("RequestAccepted at #7: text holds U+0000");
  });

  it("ignores rows of other requests and of agents the request does not run", () => {
    const view = viewFromRows(request, [row({ request_id: "11111111-1111-4111-8111-111111111111" }), row({ agent: "sentiment", status: "completed" })]);
    expect(view.results).toEqual({ entity_extractor: pendingResult(), summarizer: pendingResult() });
  });
});

describe("agentResultFromRow", () => {
  it("gathers token columns into usage, and error columns into error", () => {
    expect(agentResultFromRow(row({ status: "completed", prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, output: { entities: [] } }))).toMatchObject({
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      error: null,
      output: { entities: [] },
    });
    expect(agentResultFromRow(row({ status: "failed", error_code: "provider_error", error_message: "429" }))).toMatchObject({
      usage: null,
      error: { code: "provider_error", message: "429" },
    });
  });
});
