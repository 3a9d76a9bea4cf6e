// The real `chorus` binary against the real services with API keys required: submit and
// follow a request, read it back, list, watch, webhook logs and retry, each with the exit
// code a script relies on (0 ok, 1 failed or refused, 2 usage, 3 unreachable or unauthorised).
import { execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RequestView } from "@chorus/contracts";
import { createApiKey, eventually, startPipeline, type RunningPipeline } from "@chorus/testing";

const BIN = fileURLToPath(new URL("./main.ts", import.meta.url));
const TEXT = "Apple opened a new office in Berlin on Monday, and investors cheered the $2 billion plan.";

let pipeline: RunningPipeline;
let key: string;

beforeAll(async () => {
  pipeline = await startPipeline({ auth: true });
  key = (await createApiKey(pipeline.gateway.url, pipeline.adminKey!, { tenant: "cli", scopes: ["requests:write", "requests:read", "requests:erase", "webhooks:write"] })).key;
}, 60_000);

afterAll(() => pipeline?.stop());

type Run = { code: number; stdout: string; stderr: string };

function chorus(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", CHORUS_URL: pipeline.gateway.url, CHORUS_API_KEY: key, ...options.env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(options.input ?? "");
  });
}

describe("the chorus command", () => {
  it("submits and waits: the agents' events as they happen, then the result for a person; --json gives the API's view", async () => {
    const human = await chorus(["submit", TEXT, "--wait"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/RequestAccepted/);
    expect(human.stdout).toMatch(/AgentCompleted sentiment/);
    expect(human.stdout).toMatch(/RequestCompleted completed/);
    expect(human.stdout).toMatch(/^sentiment {2}completed/m);
    expect(human.stdout).toMatch(/Berlin LOCATION/);

    const json = await chorus(["submit", "--mode", "sequential", "--agents", "sentiment,summarizer", "--wait", "--json", "-"], { input: TEXT });
    expect(json.code).toBe(0);
    const view = RequestView.parse(JSON.parse(json.stdout));
    expect(view).toMatchObject({ status: "completed", orchestration_mode: "sequential", agents: ["sentiment", "summarizer"] });

    const got = await chorus(["get", view.request_id, "--json"]);
    expect(got.code).toBe(0);
    expect(RequestView.parse(JSON.parse(got.stdout))).toEqual(view);

    const listed = await chorus(["list", "--status", "completed", "--json"]);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { items: { request_id: string }[] }).items.map((i) => i.request_id)).toContain(view.request_id);

    const watched = await chorus(["watch", view.request_id]);
    expect(watched.code).toBe(0);
    expect(watched.stdout.trim().split("\n").at(-1)).toMatch(/RequestCompleted completed$/);
  }, 90_000);

  it("answers a submission without waiting, reads webhook logs, and refuses a retry of a request with no webhook (exit 1)", async () => {
    const submitted = await chorus(["submit", TEXT]);
    expect(submitted.code).toBe(0);
    const id = submitted.stdout.split(/\s+/)[0]!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await chorus(["webhooks", id])).stdout).toContain("no webhook delivery attempts");
    const retry = await chorus(["retry", id]);
    expect(retry.code).toBe(1);
    expect(retry.stderr).toMatch(/chorus: .*webhook/i);
    // Erased once ended; read back, it is gone (exit 1).
    await eventually(async () => ((await chorus(["get", id, "--json"])).stdout.includes('"status": "completed"') ? true : undefined), 30_000);
    const erased = await chorus(["erase", id]);
    expect(erased.code, erased.stderr).toBe(0);
    expect(erased.stdout).toMatch(new RegExp(`^erased ${id} at \\S+ \\(\\d+ events\\)`));
    const gone = await chorus(["get", id]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/was erased/);
  }, 60_000);

  it("exits 2 on a usage error, 3 when the key is refused or no gateway answers", async () => {
    expect((await chorus(["list", "--status", "nonsense"])).code).toBe(2);
    expect((await chorus(["list", "--mode", "diagonal"])).code).toBe(2);
    const filtered = await chorus(["list", "--mode", "parallel", "--agent", "sentiment", "--json"]);
    expect(filtered.code, filtered.stderr).toBe(0);
    expect(JSON.parse(filtered.stdout)).toMatchObject({ items: expect.any(Array), page: 1 });
    expect((await chorus(["frobnicate"])).code).toBe(2);
    const refused = await chorus(["list"], { env: { CHORUS_API_KEY: "chorus_sk_not-a-key" } });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/not valid/);
    const nobody = await chorus(["list"], { env: { CHORUS_URL: "http://127.0.0.1:9" } });
    expect(nobody.code).toBe(3);
    expect(nobody.stderr).toMatch(/no answer from http:\/\/127\.0\.0\.1:9/);
    expect((await chorus(["get", "not-a-uuid"])).code).toBe(1);
  }, 60_000);

  it("manages keys with an admin key, tails a request's events from NATS, and lists dead letters", async () => {
    const admin = { CHORUS_API_KEY: pipeline.adminKey! };
    const made = await chorus(["keys", "create", "--tenant", "cli", "--name", "from the cli", "--scopes", "requests:read", "--json"], { env: admin });
    expect(made.code, made.stderr).toBe(0);
    const key = JSON.parse(made.stdout) as { id: string; key: string };
    expect(key.key).toMatch(/^chorus_sk_/);
    expect((await chorus(["keys", "list"], { env: admin })).stdout).toContain(key.id);
    expect((await chorus(["keys", "list"])).code).toBe(3); // not an admin key
    expect((await chorus(["keys", "revoke", key.id], { env: admin })).code).toBe(0);
    await eventually(async () => ((await chorus(["list"], { env: { CHORUS_API_KEY: key.key } })).code === 3 ? true : undefined), 10_000);

    const submitted = await chorus(["submit", TEXT, "--wait", "--json"]);
    const { request_id: id } = JSON.parse(submitted.stdout) as { request_id: string };
    const tail = spawn(process.execPath, [BIN, "events", "tail", "--all", "--request", id], { env: { PATH: process.env.PATH ?? "", ...pipeline.nats.env, LOG_LEVEL: "warn" } });
    let out = "";
    tail.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const types = await eventually(() => {
      const seen = out.split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { type: string }).type);
      return seen.includes("RequestCompleted") ? seen : undefined;
    });
    expect(types[0]).toBe("RequestAccepted");
    tail.kill("SIGINT");
    expect(await new Promise((r) => tail.once("exit", r))).toBe(0);

    const dlq = await chorus(["dlq", "list"], { env: { ...pipeline.nats.env } });
    expect(dlq.code).toBe(0);
    expect(dlq.stdout).toMatch(/no dead-lettered messages|from /);

    const rebuilt = await chorus(["projector", "rebuild"], { env: { ...pipeline.nats.env, DATABASE_URL: pipeline.db.url } });
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stdout).toMatch(/^rebuilt the read models: \d+ events replayed/m);
    expect((await chorus(["get", id])).code).toBe(0);

    const completion = await chorus(["completion", "bash"]);
    expect(completion.stdout).toContain("complete -F _chorus_complete chorus");
    expect((await chorus(["completion", "fish"])).code).toBe(2);
  }, 120_000);
});
