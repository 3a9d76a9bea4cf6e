// Read-your-writes across gateway replicas, on the whole pipeline as processes: whatever
// a submission's 2xx told the client, a read sent at once through ANOTHER gateway (REST,
// webhook logs, SSE, gRPC GetRequest and WatchRequest) finds the request, never shows an earlier status,
// and after a 200 returns the same results.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestView } from "@chorus/contracts";
import { freePort, postProcess, startPipeline, type RunningPipeline, type RunningService } from "@chorus/testing";
import { fromStruct, orchestrationClient, type OrchestrationClient, type RequestMessage } from "./grpc/grpc-clients.fixtures.ts";

const TEXT = "Apple opened a new office in Berlin on Monday, and investors cheered the $2 billion plan.";
const PER_MODE = 50;
/** Submissions in flight at once: enough to overlap writes and reads, few enough for a 2-core machine. */
const IN_FLIGHT = 5;

type Gateway = { service: RunningService; grpc: OrchestrationClient };

let pipeline: RunningPipeline;
let a: Gateway;
let b: Gateway;

beforeAll(async () => {
  // The bench provider answers at once: the test is about what reads see, not about NLP.
  pipeline = await startPipeline({ env: { AGENT_PROVIDER: "bench" } });
  a = { service: pipeline.gateway, grpc: orchestrationClient(`127.0.0.1:${pipeline.grpcPort}`) };
  const grpcPort = await freePort();
  b = { service: await pipeline.startReplica("gateway", { GRPC_PORT: String(grpcPort) }), grpc: orchestrationClient(`127.0.0.1:${grpcPort}`) };
});

afterAll(async () => {
  a?.grpc.close();
  b?.grpc.close();
  await pipeline?.stop();
});

const RANK: Record<string, number> = { pending: 0, processing: 1, completed: 2, partial: 2, failed: 2 };

/** Runs `work` for 0..n-1, at most `limit` at a time. */
async function inBatches(n: number, limit: number, work: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < n) await work(next++);
  }));
}

const protoMode = (mode: "parallel" | "sequential") => (mode === "parallel" ? "ORCHESTRATION_MODE_PARALLEL" : "ORCHESTRATION_MODE_SEQUENTIAL");

/** Submits through REST on `via`: the 2xx status and what it said. */
async function submitThrough(via: Gateway, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; view: RequestView }> {
  const res = await postProcess<unknown>(via.service.url, body, headers);
  return { status: res.status, view: RequestView.parse(res.body) };
}

/** What a read through `via` says of a request, by every read interface. */
async function readEverywhere(via: Gateway, requestId: string) {
  const rest = await fetch(`${via.service.url}/api/v1/results/${requestId}`);
  const restBody = (await rest.json()) as unknown;
  const webhookLogs = await fetch(`${via.service.url}/api/v1/webhook-logs/${requestId}`);
  const webhookLogsBody = (await webhookLogs.json()) as unknown;
  const sse = await fetch(`${via.service.url}/api/v1/results/${requestId}/events`);
  const sseText = await sse.text();
  const grpcGet = await via.grpc.getRequest({ request_id: requestId }).then(
    (m: RequestMessage) => ({ ok: true as const, message: m }),
    (err: { code: number }) => ({ ok: false as const, code: err.code }),
  );
  const watched = await via.grpc.watch(requestId).then(
    (events) => ({ ok: true as const, types: events.map((e) => e.type), end: events.at(-1) }),
    (err: { code: number }) => ({ ok: false as const, code: err.code }),
  );
  return { rest: { status: rest.status, body: restBody }, webhookLogs: { status: webhookLogs.status, body: webhookLogsBody }, sse: { status: sse.status, text: sseText }, grpcGet, watched };
}

function expectFoundAndNotBehind(seen: Awaited<ReturnType<typeof readEverywhere>>, told: RequestView) {
  expect(seen.rest.status, JSON.stringify(seen.rest.body)).toBe(200);
  const view = RequestView.parse(seen.rest.body);
  expect(view.request_id).toBe(told.request_id);
  expect(RANK[view.status]).toBeGreaterThanOrEqual(RANK[told.status]!);
  expect(seen.webhookLogs.status, JSON.stringify(seen.webhookLogs.body)).toBe(200);
  expect(seen.webhookLogs.body).toEqual({ request_id: told.request_id, attempts: [], circuit: [] });
  expect(seen.sse.status, seen.sse.text).toBe(200);
  // The stream replays from the first event and ends after the end event.
  expect(seen.sse.text).toMatch(/^event: RequestAccepted$/m);
  expect(seen.sse.text).toMatch(/^event: Request(Completed|Failed)$/m);
  expect(seen.grpcGet.ok, JSON.stringify(seen.grpcGet)).toBe(true);
  if (seen.grpcGet.ok) expect(RANK[seen.grpcGet.message.status]).toBeGreaterThanOrEqual(RANK[told.status]!);
  expect(seen.watched.ok, JSON.stringify(seen.watched)).toBe(true);
  if (seen.watched.ok) {
    expect(seen.watched.types[0]).toBe("RequestAccepted");
    expect(seen.watched.types.at(-1)).toMatch(/^Request(Completed|Failed)$/);
  }
  return view;
}

describe.each(["parallel", "sequential"] as const)("read-your-writes in %s mode, written through one gateway and read through the other", (mode) => {
  it(`after each of ${PER_MODE} waiting submissions' 200, every read at once answers the same result`, async () => {
    await inBatches(PER_MODE, IN_FLIGHT, async (i) => {
      // Half through REST on A, half through gRPC Submit on B; read through the other one.
      const viaRest = i % 2 === 0;
      let told: RequestView;
      if (viaRest) {
        const posted = await submitThrough(a, { text: `${TEXT} (${mode} ${i})`, orchestration_mode: mode });
        expect(posted.status).toBe(200);
        told = posted.view;
      } else {
        const submitted = await b.grpc.submit({ text: `${TEXT} (${mode} ${i})`, orchestration_mode: protoMode(mode) });
        expect(submitted.done).toBe(true);
        const rest = await fetch(`${b.service.url}/api/v1/results/${submitted.request.request_id}`);
        told = RequestView.parse(await rest.json());
        expect(submitted.request.status).toBe(told.status);
      }
      expect(told.status).toBe("completed");
      const seen = await readEverywhere(viaRest ? b : a, told.request_id);
      const view = expectFoundAndNotBehind(seen, told);
      expect(view.status).toBe(told.status);
      expect(view.results).toEqual(told.results);
      expect(view.completed_at).toBe(told.completed_at);
      if (seen.grpcGet.ok) {
        expect(seen.grpcGet.message.status).toBe(told.status);
        for (const [agent, result] of Object.entries(told.results)) {
          expect(fromStruct(seen.grpcGet.message.results[agent]?.output)).toEqual(result?.output);
        }
      }
    });
  });

  it(`after each of ${PER_MODE} asynchronous submissions' 202, every read at once finds the request`, async () => {
    await inBatches(PER_MODE, IN_FLIGHT, async (i) => {
      const viaRest = i % 2 === 0;
      let told: RequestView;
      if (viaRest) {
        const posted = await submitThrough(a, { text: `${TEXT} (async ${mode} ${i})`, orchestration_mode: mode }, { prefer: "respond-async" });
        expect(posted.status).toBe(202);
        told = posted.view;
      } else {
        const submitted = await b.grpc.submit({ text: `${TEXT} (async ${mode} ${i})`, orchestration_mode: protoMode(mode), respond_async: true });
        expect(submitted.done).toBe(false);
        told = { request_id: submitted.request.request_id, status: submitted.request.status } as RequestView;
      }
      // Fast agents may already be running when the 202 is written: it says what the gateway had seen.
      expect(told.status).not.toBe("completed");
      // Read through the other gateway at once: REST first, as a client following Location would.
      expectFoundAndNotBehind(await readEverywhere(viaRest ? b : a, told.request_id), told);
    });
  });
});
