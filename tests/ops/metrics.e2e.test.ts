// Every service serves Prometheus /metrics: HTTP rate and latency by route and status on
// the gateway, requests by end status, agent latency by agent and provider, consumer lag
// per durable, projector lag, and webhook attempts by outcome, after two requests (one with
// a webhook) have run through the pipeline.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { eventually, isolatedPerFile, postProcess, startService, type RunningService } from "@chorus/testing";

const TEXT = "Apple Inc. said on Tuesday that it will open a research campus in Austin, Texas. Officials welcomed the plan.";

const isolated = isolatedPerFile({ nats: true, database: true });
const running: Record<string, RunningService> = {};
let hook: Server;

beforeAll(async () => {
  hook = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
  isolated.defer(() => new Promise<void>((resolve) => hook.close(() => resolve())));
  const env = { ...isolated.nats.env, DATABASE_URL: isolated.db.url, LOG_LEVEL: "warn", AGENT_PROVIDER: "local", WEBHOOK_ALLOW_PRIVATE: "true" };
  for (const name of ["orchestrator", "agents", "projector", "webhooks", "gateway"]) {
    const service = await startService(name, env);
    isolated.defer(() => service.stop());
    running[name] = service;
  }
  const gatewayUrl = `${running.gateway?.url}`;
  const res = await postProcess(gatewayUrl, { text: TEXT, agents: ["summarizer", "sentiment"] });
  if (res.status !== 200) throw new Error(`the request did not complete: ${res.status} ${JSON.stringify(res.body)}`);
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  const withHook = await postProcess(gatewayUrl, { text: TEXT, agents: ["sentiment"], webhook_url: hookUrl, webhook_secret: "a-webhook-secret-for-metrics" });
  if (withHook.status !== 202) throw new Error(`the webhook request was not accepted: ${withHook.status} ${JSON.stringify(withHook.body)}`);
});

async function scrape(name: string): Promise<string> {
  const res = await fetch(`${running[name]?.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
  return res.text();
}

/** The sample lines of one series whose labels include every given label. */
function samples(text: string, series: string, labels: Record<string, string> = {}): string[] {
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${series}{`) || line.startsWith(`${series} `))
    .filter((line) => Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)));
}

describe("/metrics on every service", () => {
  it("exposes the gateway's HTTP request count and latency by route and status", async () => {
    const text = await scrape("gateway");
    expect(samples(text, "http_server_request_duration_count", { http_route: "/api/v1/process", http_request_method: "POST", http_response_status_code: "200" })).toHaveLength(1);
    expect(samples(text, "http_server_request_duration_bucket", { http_route: "/api/v1/process" }).length).toBeGreaterThan(1);
  });

  it("counts the request by its end status and times it, in the orchestrator that ended it", async () => {
    // Both requests end; the one with a webhook may still be running at first.
    const text = await eventually(async () => {
      const t = await scrape("orchestrator");
      return samples(t, "chorus_requests_ended_total", { status: "completed" }).some((l) => l.endsWith(" 2")) ? t : undefined;
    });
    expect(samples(text, "chorus_requests_ended_total", { status: "completed" })).toEqual([expect.stringMatching(/ 2$/)]);
    expect(samples(text, "chorus_request_duration_count", { status: "completed" })).toHaveLength(1);
  });

  it("times each agent run by agent and provider in the agents service", async () => {
    const text = await eventually(async () => {
      const t = await scrape("agents");
      return samples(t, "chorus_agent_duration_count", { agent: "sentiment" }).some((l) => l.endsWith(" 2")) ? t : undefined;
    });
    expect(samples(text, "chorus_agent_duration_count", { agent: "summarizer", provider: "local", outcome: "completed" })).toEqual([expect.stringMatching(/ 1$/)]);
    expect(samples(text, "chorus_agent_duration_count", { agent: "sentiment", provider: "local", outcome: "completed" })).toEqual([expect.stringMatching(/ 2$/)]);
  });

  it("counts webhook attempts by outcome and deliveries in the webhooks service", async () => {
    const text = await eventually(async () => {
      const t = await scrape("webhooks");
      return samples(t, "chorus_webhook_deliveries_total", { outcome: "delivered" }).length > 0 ? t : undefined;
    });
    expect(samples(text, "chorus_webhook_attempts_total", { outcome: "success" })).toEqual([expect.stringMatching(/ 1$/)]);
    expect(samples(text, "chorus_webhook_deliveries_total", { outcome: "delivered" })).toEqual([expect.stringMatching(/ 1$/)]);
    // Timed per endpoint group (one of 64, a hash of the origin): one group here, one sample each.
    expect(samples(text, "chorus_webhook_attempt_duration_count", { outcome: "success" })).toEqual([expect.stringMatching(/endpoint="g\d\d".* 1$/)]);
    expect(samples(text, "chorus_webhook_delivery_latency_count")).toEqual([expect.stringMatching(/endpoint="g\d\d".* 1$/)]);
  });

  it("reports consumer lag per durable and the projector's lag once it has caught up", async () => {
    const text = await eventually(async () => {
      const t = await scrape("projector");
      return samples(t, "chorus_projector_lag_messages").some((l) => l.endsWith(" 0")) ? t : undefined;
    });
    expect(samples(text, "chorus_projector_lag_seconds")).toEqual([expect.stringMatching(/ 0$/)]);
    for (const durable of ["projector", "orchestrator-commands", "agent-summarizer", "webhooks-completed"]) {
      expect(samples(text, "chorus_consumer_lag_messages", { durable }), text).toHaveLength(1);
    }
  });

  it("serves the same consumer lag series from every service", async () => {
    for (const name of ["gateway", "orchestrator", "agents", "projector", "webhooks"]) {
      expect(samples(await scrape(name), "chorus_consumer_lag_messages", { durable: "orchestrator-commands" }), name).toHaveLength(1);
    }
  });
});
