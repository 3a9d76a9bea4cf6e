// `npm run smoke -- [base-url]`: checks a running Chorus end to end through its public
// REST API only (health, the API key, both orchestration modes, reads, the list, a bad
// request), one ✓/✗ line per check, non-zero exit on any failure. Safe against any
// deployment. The API key is CHORUS_API_KEY, else (for a gateway on this machine) the
// development key `npm start` saved in .data/keys/dev.key.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { AGENT_IDS, parseAgentOutput, RequestView, type OrchestrationMode } from "@chorus/contracts";
import { isLocalHost } from "./start/endpoints.ts";
import { displayPath, keyInFile, localKeyPaths } from "./start/local-keys.ts";

const DEFAULT_BASE_URL = "http://127.0.0.1:8000";

/** A news paragraph with people, organisations, places, a date and money, so every agent has work. */
const NEWS_TEXT =
  "BERLIN, March 14, 2025 — Siemens announced on Friday that it will invest $2.5 billion in a new " +
  "semiconductor plant in Dresden, creating about 1,200 jobs by 2027. Chief executive Roland Busch said " +
  "the decision followed months of talks with the German government and Chancellor Olaf Scholz, who " +
  "welcomed the project as a boost for European supply chains. Analysts at Deutsche Bank called the move " +
  "ambitious but risky, noting that rival Infineon Technologies had delayed a similar expansion in Austria " +
  "last year. Shares of Siemens rose 3 percent in Frankfurt after the announcement, while unions in Munich " +
  "praised the commitment to skilled manufacturing work.";

// ---- pure: arguments and what a correct answer looks like ----

export type SmokeArgs = { baseUrl: string } | { help: true } | { error: string };

export function parseArgs(argv: readonly string[]): SmokeArgs {
  if (argv.includes("-h") || argv.includes("--help")) return { help: true };
  const positional = argv.filter((a) => !a.startsWith("-"));
  if (positional.length > 1) return { error: `expected at most one base URL, got ${positional.join(" ")}` };
  const raw = positional[0] ?? DEFAULT_BASE_URL;
  try {
    const url = new URL(raw);
    if (url.protocol !== "http:" && url.protocol !== "https:") return { error: `base URL must be http(s), got ${raw}` };
    return { baseUrl: url.toString().replace(/\/+$/, "") };
  } catch {
    return { error: `not a URL: ${raw}` };
  }
}

/** Why a processed request is not a complete, well-shaped result — or null when it is. */
export function problemWithResult(body: unknown, mode: OrchestrationMode): string | null {
  const parsed = RequestView.safeParse(body);
  if (!parsed.success) {
    return `not a request view: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`;
  }
  const view = parsed.data;
  if (view.status !== "completed") return `status is ${view.status}, expected completed`;
  if (view.orchestration_mode !== mode) return `orchestration_mode is ${view.orchestration_mode}, expected ${mode}`;
  for (const agent of AGENT_IDS) {
    const result = view.results[agent];
    if (!result) return `no result for ${agent}`;
    if (result.status !== "completed") return `${agent} is ${result.status}${result.error ? `: ${result.error.message}` : ""}`;
    const output = parseAgentOutput(agent, result.output);
    if (!output.success) return `${agent} output has the wrong shape: ${output.error.issues[0]?.message ?? "invalid"}`;
  }
  const summary = view.results.summarizer?.output;
  if (!summary || !("summary" in summary) || !summary.summary.trim()) return "the summary is empty";
  return null;
}

/** One line about what the agents said, to show the run did real work. */
function describeResult(body: RequestView): string {
  const out = (agent: (typeof AGENT_IDS)[number]) => body.results[agent]?.output as Record<string, unknown> | undefined;
  const summary = String(out("summarizer")?.summary ?? "");
  const entities = (out("entity_extractor")?.entities as unknown[] | undefined) ?? [];
  return `summary ${summary.length} chars, sentiment ${String(out("sentiment")?.label)}, ${entities.length} entities`;
}

/** The request ids in a list response, whatever its envelope (`[…]`, `{ items: […] }`, `{ results: […] }`, …). */
export function listedIds(body: unknown): string[] | null {
  const rows = Array.isArray(body)
    ? body
    : body && typeof body === "object"
      ? Object.values(body).find((v): v is unknown[] => Array.isArray(v) && v.every((r) => r && typeof r === "object" && "request_id" in r))
      : undefined;
  if (!rows) return null;
  return rows.map((r) => String((r as { request_id: unknown }).request_id));
}

/** Where the key came from, for messages: `CHORUS_API_KEY` or the file's path. */
export type ApiKeyChoice = { key: string; from: string } | { key: null };

/**
 * CHORUS_API_KEY when set; else the development key `npm start` saved, but only for a
 * gateway on this machine (a local key is not sent to another host).
 */
export function chooseApiKey(envKey: string | undefined, saved: { text: string | null; path: string }, baseUrl: string): ApiKeyChoice {
  const fromEnv = envKey?.trim();
  if (fromEnv) return { key: fromEnv, from: "CHORUS_API_KEY" };
  const host = new URL(baseUrl).hostname.replace(/^\[(.*)\]$/, "$1");
  const savedKey = saved.text === null ? null : keyInFile(saved.text);
  if (savedKey && isLocalHost(host)) return { key: savedKey, from: saved.path };
  return { key: null };
}

/** Enough of a key to tell which one it is in a log, not enough to use it. */
export function keyHint(key: string): string {
  return `${key.slice(0, 16)}…`;
}

/**
 * Why the checks cannot go on with this key — or null when the gateway took it (or said
 * something that is not about the key, left to the check itself to report).
 */
export function authProblem(status: number, choice: ApiKeyChoice, devKeyPath: string): string | null {
  const scopes = "requests:write and requests:read";
  if (status === 401 && choice.key === null) {
    return (
      "the gateway requires an API key and none was given. Set CHORUS_API_KEY: after `npm start`, " +
      `run \`export CHORUS_API_KEY=$(cat ${devKeyPath})\`; for another deployment, ask its admin for a key ` +
      `with the scopes ${scopes} (POST /api/v1/admin/keys).`
    );
  }
  if (status === 401) {
    return `the gateway refused the key from ${choice.key === null ? "nowhere" : choice.from} (401: unknown or revoked, or a key of another deployment). Use a current key with the scopes ${scopes}.`;
  }
  if (status === 403) return `the key from ${choice.key === null ? "nowhere" : choice.from} lacks a scope: the smoke test needs ${scopes}.`;
  return null;
}

/** Why a body is not the API's error shape `{ error, message }` — or null when it is. */
export function problemWithError(body: unknown): string | null {
  const b = body as { error?: unknown; message?: unknown } | null;
  if (!b || typeof b !== "object") return "the body is not a JSON object";
  if (typeof b.error !== "string" || !b.error) return "no string `error`";
  if (typeof b.message !== "string" || !b.message) return "no string `message`";
  return null;
}

// ---- I/O: calling the API and running the checks ----

type Reply = { status: number; body: unknown; text: string };

class CheckFailed extends Error {
  override name = "CheckFailed";
}

/** A failure no later check can get past: the gateway will not take the key. */
class KeyRefused extends CheckFailed {
  override name = "KeyRefused";
}

function smoke(baseUrl: string, apiKey: ApiKeyChoice, devKeyPath: string) {
  const correlation = `smoke-${randomUUID().slice(0, 8)}`;
  const processed = new Map<OrchestrationMode, RequestView>();

  async function call(method: string, path: string, body?: unknown, timeoutMs = 15_000): Promise<Reply> {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        accept: "application/json",
        "x-correlation-id": correlation,
        ...(apiKey.key === null ? {} : { authorization: `Bearer ${apiKey.key}` }),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text };
  }

  function expectStatus(reply: Reply, status: number): void {
    if (reply.status !== status) throw new CheckFailed(`got ${reply.status}, expected ${status}: ${reply.text.slice(0, 300)}`);
  }

  /** Polls until `probe` returns a value: the read model follows the events a moment later. */
  async function poll<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastProblem: unknown;
    for (;;) {
      try {
        const v = await probe();
        if (v !== undefined) return v;
      } catch (err) {
        lastProblem = err;
      }
      if (Date.now() > deadline) throw lastProblem instanceof Error ? lastProblem : new CheckFailed("not there in time");
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  function needProcessed(mode: OrchestrationMode): RequestView {
    const view = processed.get(mode);
    if (!view) throw new CheckFailed(`skipped: the ${mode} POST did not succeed`);
    return view;
  }

  const processCheck = (mode: OrchestrationMode) => async () => {
    const reply = await call("POST", "/api/v1/process", { text: NEWS_TEXT, orchestration_mode: mode }, 90_000);
    expectStatus(reply, 200);
    const problem = problemWithResult(reply.body, mode);
    if (problem) throw new CheckFailed(problem);
    const view = RequestView.parse(reply.body);
    processed.set(mode, view);
    return `${view.request_id}: ${describeResult(view)}`;
  };

  const readBackCheck = (mode: OrchestrationMode) => async () => {
    const posted = needProcessed(mode);
    const view = await poll(async () => {
      const reply = await call("GET", `/api/v1/results/${posted.request_id}`);
      expectStatus(reply, 200);
      const parsed = RequestView.parse(reply.body);
      if (parsed.status !== posted.status) throw new CheckFailed(`status is ${parsed.status}, the POST said ${posted.status}`);
      return parsed;
    });
    for (const key of ["request_id", "orchestration_mode", "agents", "created_at"] as const) {
      if (!isDeepStrictEqual(view[key], posted[key])) throw new CheckFailed(`${key} differs from the POST's answer`);
    }
    for (const agent of AGENT_IDS) {
      if (!isDeepStrictEqual(view.results[agent]?.output, posted.results[agent]?.output)) {
        throw new CheckFailed(`${agent} output differs from the POST's answer`);
      }
    }
    return `same ${mode} request, ${view.status}`;
  };

  const checks: { name: string; run: () => Promise<string | void> }[] = [
    {
      name: "GET /api/v1/health is 200",
      run: async () => {
        const reply = await call("GET", "/api/v1/health");
        expectStatus(reply, 200);
        const health = reply.body as { checks?: object; auth?: string } | undefined;
        const details = [health?.auth ? `auth ${health.auth}` : "", health?.checks ? `checks: ${Object.keys(health.checks).join(", ")}` : ""];
        return details.filter(Boolean).join(", ") || undefined;
      },
    },
    {
      name: "GET /api/v1/results with the API key is 200",
      run: async () => {
        const reply = await call("GET", "/api/v1/results?page_size=1");
        const problem = authProblem(reply.status, apiKey, devKeyPath);
        if (problem) throw new KeyRefused(problem);
        expectStatus(reply, 200);
        return apiKey.key === null ? "no key sent: the API is open" : `key ${keyHint(apiKey.key)} taken`;
      },
    },
    { name: "POST /api/v1/process (parallel) completes every agent", run: processCheck("parallel") },
    { name: "POST /api/v1/process (sequential) completes every agent", run: processCheck("sequential") },
    { name: "GET /api/v1/results/{id} returns the parallel request", run: readBackCheck("parallel") },
    { name: "GET /api/v1/results/{id} returns the sequential request", run: readBackCheck("sequential") },
    {
      name: "GET /api/v1/results lists them",
      run: async () => {
        const wanted = [...processed.values()].map((v) => v.request_id);
        if (wanted.length === 0) throw new CheckFailed("skipped: no POST succeeded");
        return poll(async () => {
          const reply = await call("GET", "/api/v1/results");
          expectStatus(reply, 200);
          const ids = listedIds(reply.body);
          if (!ids) throw new CheckFailed(`no list of requests in the body: ${reply.text.slice(0, 200)}`);
          const missing = wanted.filter((id) => !ids.includes(id));
          if (missing.length) throw new CheckFailed(`not listed: ${missing.join(", ")} (${ids.length} listed)`);
          return `${ids.length} listed, both found`;
        });
      },
    },
    {
      name: "POST /api/v1/process with a short text is a 422 with the error shape",
      run: async () => {
        const reply = await call("POST", "/api/v1/process", { text: "too short" });
        expectStatus(reply, 422);
        const problem = problemWithError(reply.body);
        if (problem) throw new CheckFailed(problem);
        return `${(reply.body as { error: string }).error}`;
      },
    },
  ];

  return { checks, correlation };
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  if ("help" in args) {
    process.stdout.write(
      `usage: [CHORUS_API_KEY=<key>] npm run smoke -- [base-url]   (default ${DEFAULT_BASE_URL})\n` +
        "The key needs the scopes requests:write and requests:read; without CHORUS_API_KEY, a gateway on this\n" +
        "machine gets the development key npm start saved in .data/keys/dev.key.\n",
    );
    return 0;
  }
  if ("error" in args) {
    process.stderr.write(`smoke: ${args.error}\n`);
    return 2;
  }
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const devKeyFile = localKeyPaths(fileURLToPath(new URL("..", import.meta.url))).dev;
  const devKeyPath = displayPath(devKeyFile, cwd);
  const apiKey = chooseApiKey(process.env.CHORUS_API_KEY, { text: readOptional(devKeyFile), path: devKeyPath }, args.baseUrl);
  const { checks, correlation } = smoke(args.baseUrl, apiKey, devKeyPath);
  process.stdout.write(`smoke test of ${args.baseUrl} (X-Correlation-ID: ${correlation})\n`);
  process.stdout.write(`${describeKey(apiKey)}\n`);
  let failed = 0;
  let ran = 0;
  for (const check of checks) {
    const started = performance.now();
    ran++;
    try {
      const detail = await check.run();
      const ms = Math.round(performance.now() - started);
      process.stdout.write(`✓ ${check.name} (${ms} ms)${detail ? ` — ${detail}` : ""}\n`);
    } catch (err) {
      failed++;
      const ms = Math.round(performance.now() - started);
      process.stdout.write(`✗ ${check.name} (${ms} ms) — ${reason(err)}\n`);
      if (err instanceof KeyRefused) break;
    }
  }
  if (ran < checks.length) process.stdout.write(`${checks.length - ran} check(s) not run: they need a key the gateway takes\n`);
  process.stdout.write(`${ran - failed} of ${checks.length} checks passed\n`);
  return failed ? 1 : 0;
}

function describeKey(choice: ApiKeyChoice): string {
  if (choice.key === null) return "API key: none (CHORUS_API_KEY is not set)";
  const note = choice.from === "CHORUS_API_KEY" ? "" : " — CHORUS_API_KEY is not set, so the development key npm start saved";
  return `API key: ${keyHint(choice.key)} from ${choice.from}${note}`;
}

function readOptional(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

function reason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // fetch hides the useful part ("ECONNREFUSED") in its cause.
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (err.name === "TimeoutError") return `no answer in time (${err.message})`;
  return cause?.code ? `${err.message}: ${cause.code}` : err.message;
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
