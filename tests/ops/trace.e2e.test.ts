// One request is one trace: the gateway, orchestrator, agents (with their LLM calls),
// projector and webhooks run as separate processes exporting OTLP/JSON to a receiver in
// the test, and every span of the request shares one trace id and carries the caller's
// correlation id.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { eventually, isolatedPerFile, startService, type RunningService } from "@chorus/testing";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "./otlp-receiver.fixtures.ts";

const TEXT = "Apple Inc. said on Tuesday that it will open a research campus in Austin, Texas, for $1.2 billion. Officials welcomed it.";
const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;

const isolated = isolatedPerFile({ nats: true, database: true });
let receiver: OtlpReceiver;
let gateway: RunningService;
let hook: Server;
let hookUrl: string;
let hooksReceived = 0;

beforeAll(async () => {
  hook = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      hooksReceived += 1;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
  isolated.defer(() => new Promise<void>((resolve) => hook.close(() => resolve())));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  receiver = await startOtlpReceiver();
  isolated.defer(() => receiver.close());
  const env = {
    ...isolated.nats.env,
    DATABASE_URL: isolated.db.url,
    LOG_LEVEL: "warn",
    AGENT_PROVIDER: "local",
    // Every run records its AgentStarted, however quick, so the trace has every kind of agent event.
    AGENT_STARTED_AFTER_MS: "0",
    // The webhook receiver is on loopback, which the SSRF guard refuses otherwise.
    WEBHOOK_ALLOW_PRIVATE: "true",
    OTEL_TRACES_EXPORTER: "otlp",
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_BSP_SCHEDULE_DELAY: "100",
  };
  for (const name of ["orchestrator", "agents", "projector", "webhooks", "gateway"]) {
    const service = await startService(name, env);
    isolated.defer(() => service.stop());
    if (name === "gateway") gateway = service;
  }
});

function describeSpans(spans: ReceivedSpan[]): string {
  return spans.map((s) => `${s.service} ${s.name} ${s.durationMs.toFixed(1)}ms`).join("\n");
}

describe("tracing across the services", () => {
  it("shows one trace id across the gateway, orchestrator, agents, projector and webhook spans of one request, each with the correlation id", async () => {
    const correlationId = `trace-test-${Date.now()}`;
    const res = await fetch(`${gateway.url}/api/v1/process`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-correlation-id": correlationId },
      body: JSON.stringify({ text: TEXT, orchestration_mode: "parallel", webhook_url: hookUrl, webhook_secret: "a-webhook-secret-for-the-trace-test" }),
    });
    // With a webhook the gateway answers at once; the result goes to the webhook.
    expect(res.status).toBe(202);
    expect(res.headers.get("x-correlation-id")).toBe(correlationId);
    const { request_id: requestId } = (await res.json()) as { request_id: string };

    // The projector writes the end last; its spans arrive within a batch delay of that.
    const trace = await eventually(() => {
      const http = receiver.spans().find((s) => s.service === "chorus-gateway" && s.kind === SERVER && s.attributes["chorus.correlation_id"] === correlationId);
      if (!http) return undefined;
      const mine = receiver.spans().filter((s) => s.traceId === http.traceId);
      const projected = mine.filter((s) => s.service === "chorus-projector" && s.kind === CONSUMER);
      // Each process exports on its own schedule, so wait for the last span of each kind:
      // the accept (its agents' dispatch), 3 outcomes, the end, the webhook attempt and its
      // delivery are at least 7 projected events; a consumer span ends after what it published.
      const ended = (service: string, kind: number, count: number) => mine.filter((s) => s.service === service && s.kind === kind).length >= count;
      const complete =
        projected.length >= 7 &&
        ended("chorus-agents", CONSUMER, 3) &&
        ended("chorus-agents", CLIENT, 3) &&
        ended("chorus-webhooks", CONSUMER, 1) &&
        ended("chorus-webhooks", CLIENT, 1) &&
        // the accept, 3 agent outcomes and the first delivery of the one deadline check
        ended("chorus-orchestrator", CONSUMER, 5) &&
        ended("chorus-gateway", SERVER, 1);
      return complete ? mine : undefined;
    }, 30_000);

    expect(new Set(trace.map((s) => s.traceId)).size).toBe(1);
    const services = new Set(trace.map((s) => s.service));
    for (const name of ["chorus-gateway", "chorus-orchestrator", "chorus-agents", "chorus-projector", "chorus-webhooks"]) {
      expect(services, describeSpans(trace)).toContain(name);
    }

    const gatewayHttp = trace.find((s) => s.service === "chorus-gateway" && s.kind === SERVER);
    expect(gatewayHttp?.attributes["http.request.method"]).toBe("POST");
    expect(gatewayHttp?.attributes["http.response.status_code"]).toBe(202);
    const submit = trace.find((s) => s.service === "chorus-gateway" && s.kind === PRODUCER);
    expect(submit?.attributes["messaging.system"]).toBe("nats");
    // The gateway records the request's RequestAccepted itself, on the request's own subject.
    expect(submit?.attributes["messaging.destination.name"]).toBe(isolated.nats.topology.subjects.requestEvent(requestId, "accepted"));

    expect(trace.some((s) => s.service === "chorus-orchestrator" && s.name === "process orchestrator-accepted"), describeSpans(trace)).toBe(true);
    for (const agent of ["summarizer", "sentiment", "entity_extractor"]) {
      // A parallel request's agents run from its accept, through their durables over accepts.
      expect(trace.some((s) => s.service === "chorus-agents" && s.name === `process agent-${agent}-accepted`), describeSpans(trace)).toBe(true);
      const llm = trace.find((s) => s.service === "chorus-agents" && s.attributes["chorus.agent"] === agent && s.attributes["gen_ai.operation.name"] === "chat");
      expect(llm?.attributes["gen_ai.provider.name"], describeSpans(trace)).toBe("local");
    }
    expect(hooksReceived).toBe(1);
    expect(trace.some((s) => s.service === "chorus-webhooks" && s.name === "process webhooks-completed")).toBe(true);
    const attempt = trace.find((s) => s.service === "chorus-webhooks" && s.kind === CLIENT && s.attributes["http.request.method"] === "POST");
    expect(attempt?.attributes["http.response.status_code"], describeSpans(trace)).toBe(204);

    const writes = trace.filter((s) => s.service === "chorus-projector" && s.attributes["db.system.name"] === "postgresql");
    expect(writes.length, describeSpans(trace)).toBeGreaterThan(0);

    const untagged = trace.filter((s) => s.attributes["chorus.correlation_id"] !== correlationId);
    expect(untagged, describeSpans(untagged)).toEqual([]);
    expect(trace.some((s) => s.attributes["messaging.destination.name"]?.toString().includes(requestId))).toBe(true);
  });
});
