// The restore drill of docs/operations.md, as a test: traffic through the real services,
// `chorus events export`, then an empty NATS and an empty database, `chorus events import`,
// `npm run projector:rebuild`, and the rebuilt read models compared with the originals
// row for row. Each step runs as the command an operator runs.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "@chorus/platform";
import { eventually, isolatedDatabase, isolatedNats, postProcess, startPipeline, type IsolatedDatabase, type IsolatedNats, type RunningPipeline } from "@chorus/testing";
import { projectedCount, readModelRows } from "../../services/projector/src/read-models.fixtures.ts";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TELEMETRY = "./packages/platform/src/telemetry-register.ts";

let pipeline: RunningPipeline;
let restoredNats: IsolatedNats;
let restoredDb: IsolatedDatabase;
const dir = mkdtempSync(join(tmpdir(), "chorus-drill-"));

beforeAll(async () => {
  pipeline = await startPipeline();
  restoredNats = await isolatedNats();
  restoredDb = await isolatedDatabase();
}, 60_000);

afterAll(async () => {
  await pipeline?.stop();
  await restoredNats?.cleanup();
  await restoredDb?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a command of this repository with `env` over the test's own (no parent NATS/DB settings leak in). */
async function command(args: string[], env: Record<string, string>): Promise<{ stdout: string; ms: number }> {
  const started = performance.now();
  const { stdout } = await run(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "warn", ...env }, timeout: 120_000 });
  return { stdout, ms: Math.round(performance.now() - started) };
}

describe("the restore drill", () => {
  it("export, import into an empty NATS, rebuild into an empty database: the same read models, row for row", async () => {
    const texts = [
      "Apple opened a new office in Berlin on Monday, and investors cheered the $2 billion plan.",
      "The city council approved the budget after a long and difficult debate about schools.",
      "Customers complained that the update broke the app, but support fixed it within a day.",
    ];
    for (let i = 0; i < 12; i++) {
      const res = await postProcess(pipeline.gateway.url, { text: texts[i % texts.length], orchestration_mode: i % 3 === 0 ? "sequential" : "parallel" });
      expect(res.status).toBe(200);
    }
    const stream = pipeline.nats.topology.streams.events;
    const stored = (await pipeline.nats.jsm.streams.info(stream)).state.messages;
    await eventually(async () => ((await projectedCount(pipeline.db.pool)) === stored ? true : undefined));
    const original = await readModelRows(pipeline.db.pool);
    expect(original.requests).toHaveLength(12);

    const archive = join(dir, "events.ndjson.gz");
    const exported = await command(["--import", TELEMETRY, "packages/cli/src/main.ts", "events", "export", "--out", archive], pipeline.nats.env);
    expect(exported.stdout).toContain(`exported ${stored} events`);
    expect(statSync(archive).size).toBeGreaterThan(0);

    // An empty NATS: the import makes the event stream as the services would.
    await restoredNats.jsm.streams.delete(restoredNats.topology.streams.events);
    const imported = await command(["--import", TELEMETRY, "packages/cli/src/main.ts", "events", "import", archive], restoredNats.env);
    expect(imported.stdout).toContain(`imported ${stored} events`);
    // Into a stream that is no longer empty, an import is refused: a restore does not merge histories.
    const again = await command(["--import", TELEMETRY, "packages/cli/src/main.ts", "events", "import", archive], restoredNats.env).catch((err: { code?: number; stdout?: string }) => err);
    expect(again).toMatchObject({ code: 1, stdout: expect.stringMatching(/already holds \d+ messages; import only into an empty stream/) });

    const rebuilt = await command(["--import", TELEMETRY, "services/projector/src/rebuild.ts"], { ...restoredNats.env, DATABASE_URL: restoredDb.url });
    expect(rebuilt.stdout).toContain(`rebuilt the read models: ${stored} events replayed`);
    expect(await readModelRows(restoredDb.pool)).toEqual(original);
    expect(await restoredDb.pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM read_model.requests WHERE status = 'completed'`)).toBe(12);
    process.stdout.write(
      `restore drill: ${stored} events (${statSync(archive).size} bytes compressed); export ${exported.ms} ms, import ${imported.ms} ms, rebuild ${rebuilt.ms} ms (each a process start included)\n`,
    );
  }, 120_000);
});
