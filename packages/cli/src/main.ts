#!/usr/bin/env node
// `chorus`: the command line of Chorus. Requests over the REST API (CHORUS_URL, default
// http://127.0.0.1:8000, and CHORUS_API_KEY), and operator tools over the event stream
// (NATS configured as for the services). The only file that reads process.env and argv.
// Exit codes: 0 ok, 1 a failed request or a refused call, 2 usage, 3 unreachable or unauthorised.
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { AGENT_IDS, ORCHESTRATION_MODES, REQUEST_STATUSES } from "@chorus/contracts";
import { BaseConfig, ensureStreams, runCommand, streamLimits, type CommandContext } from "@chorus/platform";
import { chorusApi } from "./api/client.ts";
import { bashCompletion } from "./completion.ts";
import { exportEvents } from "./events/export-events.ts";
import { importEvents } from "./events/import-events.ts";
import { deadLetters, tailEvents } from "./events/tail-events.ts";
import { createKeyCommand, listKeysCommand, revokeKeyCommand } from "./requests/keys.ts";
import { EXIT, exitCodeOf } from "./exit-codes.ts";
import { eraseCommand, getCommand, listCommand, retryCommand, submitCommand, watchCommand, webhooksCommand, type Output } from "./requests/commands.ts";
import { plain, type Paint } from "./requests/render.ts";

const colour = process.stdout.isTTY && !process.env.NO_COLOR;
const ansi = (code: number) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;
const paint: Paint = colour ? { bold: ansi(1), dim: ansi(2), good: ansi(32), bad: ansi(31) } : plain;
const api = () => chorusApi({ baseUrl: process.env.CHORUS_URL ?? "http://127.0.0.1:8000", apiKey: process.env.CHORUS_API_KEY || undefined });
const output = (json: boolean | undefined): Output => ({ write: (t) => process.stdout.write(t), warn: (t) => process.stderr.write(t), paint, json: json === true });

/** Runs a request command: its exit code, or the one its failure maps to (with the API's message on stderr). */
async function run(work: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await work();
  } catch (err) {
    process.stderr.write(`chorus: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = exitCodeOf(err);
  }
}

function instant(value: string): Date {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new InvalidArgumentError("not an ISO 8601 instant (2026-11-30T00:00:00Z)");
  return at;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("not a positive whole number");
  return n;
}

/** The text to submit: the argument, --file, or standard input for "-" (or no argument with piped input). */
function textOf(arg: string | undefined, file: string | undefined): string {
  if (file) return readFileSync(file, "utf8");
  if (arg === "-" || (arg === undefined && !process.stdin.isTTY)) return readFileSync(0, "utf8");
  if (arg === undefined) throw new InvalidArgumentError("give the TEXT, --file F, or - to read standard input");
  return arg;
}

/** Runs one command over NATS, connected as the services connect; a result it returns is printed. */
const overNats = (name: string, work: (ctx: CommandContext<BaseConfig>) => Promise<string | void>) =>
  runCommand({
    name,
    config: BaseConfig,
    env: process.env,
    failure: `${name} failed`,
    run: async (ctx) => {
      const result = await work(ctx);
      if (result !== undefined) process.stdout.write(`${result}\n`);
    },
  });

const program = new Command("chorus")
  .description("Chorus from the command line: submit and follow requests (REST API), archive the event stream (NATS).")
  .addHelpText("after", "\nEnvironment: CHORUS_URL (default http://127.0.0.1:8000), CHORUS_API_KEY; NO_COLOR turns colours off.\nExit codes: 0 ok, 1 failed request or refused call, 2 usage, 3 unreachable or unauthorised.")
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

program
  .command("submit")
  .description("submit a text for analysis")
  .argument("[text]", 'the text; "-" reads standard input')
  .option("-f, --file <file>", "read the text from a file")
  .addOption(new Option("-m, --mode <mode>", "orchestration mode").choices(["parallel", "sequential"]))
  .option("-a, --agents <agents>", "comma-separated: summarizer, sentiment, entity_extractor", (v) => v.split(",").map((s) => s.trim()))
  .option("--webhook-url <url>", "where to POST the result")
  .option("--webhook-secret <secret>", "the secret that signs it")
  .option("-w, --wait", "follow the agents until the end, then print the result")
  .option("--json", "print the request as the API returns it")
  .action((arg: string | undefined, o: { file?: string; mode?: string; agents?: string[]; webhookUrl?: string; webhookSecret?: string; wait?: boolean; json?: boolean }) => {
    const text = textOf(arg, o.file);
    return run(() => submitCommand(api(), { text, wait: o.wait === true, ...(o.mode ? { mode: o.mode } : {}), ...(o.agents ? { agents: o.agents } : {}), ...(o.webhookUrl ? { webhookUrl: o.webhookUrl } : {}), ...(o.webhookSecret ? { webhookSecret: o.webhookSecret } : {}) }, output(o.json)));
  });

program.command("get").description("show a request and its results").argument("<id>").option("--json", "as the API returns it").action((id: string, o: { json?: boolean }) => run(() => getCommand(api(), id, output(o.json))));

program
  .command("list")
  .description("list your requests, newest first")
  .addOption(new Option("-s, --status <status>").choices([...REQUEST_STATUSES]))
  .addOption(new Option("-m, --mode <mode>", "only requests run in this mode").choices([...ORCHESTRATION_MODES]))
  .addOption(new Option("-a, --agent <agent>", "only requests that run this agent").choices([...AGENT_IDS]))
  .option("-p, --page <n>", "page", positiveInt)
  .option("--page-size <n>", "requests per page", positiveInt)
  .option("--json", "as the API returns it")
  .action((o: { status?: string; mode?: string; agent?: string; page?: number; pageSize?: number; json?: boolean }) =>
    run(() =>
      listCommand(
        api(),
        { ...(o.status ? { status: o.status } : {}), ...(o.mode ? { mode: o.mode } : {}), ...(o.agent ? { agent: o.agent } : {}), ...(o.page ? { page: o.page } : {}), ...(o.pageSize ? { pageSize: o.pageSize } : {}) },
        output(o.json),
      ),
    ),
  );

program.command("watch").description("follow a request's events until its end").argument("<id>").option("--json", "one event per line as JSON").action((id: string, o: { json?: boolean }) => run(() => watchCommand(api(), id, output(o.json))));
program.command("webhooks").description("a request's webhook delivery attempts").argument("<id>").option("--json", "as the API returns it").action((id: string, o: { json?: boolean }) => run(() => webhooksCommand(api(), id, output(o.json))));
program
  .command("erase")
  .description("erase an ended request: its text, outputs and webhook, everywhere (scope requests:erase)")
  .argument("<id>")
  .option("--json", "as the API returns it")
  .action((id: string, o: { json?: boolean }) => run(() => eraseCommand(api(), id, output(o.json))));
program.command("retry").description("deliver a request's webhook again").argument("<id>").option("--json", "as the API returns it").action((id: string, o: { json?: boolean }) => run(() => retryCommand(api(), id, output(o.json))));

const keys = program.command("keys").description("API keys, through the admin API (CHORUS_API_KEY: an admin key)");
keys
  .command("create")
  .description("make a key: printed once")
  .requiredOption("-t, --tenant <tenant>", "the tenant whose requests it submits and reads")
  .requiredOption("-n, --name <name>", "what the key is for")
  .requiredOption("-s, --scopes <scopes>", "comma-separated: requests:write, requests:read, webhooks:write, admin", (v) => v.split(",").map((x) => x.trim()))
  .option("-r, --rate-limit <perMinute>", "requests per minute (default: the gateway's API_RATE_LIMIT_PER_MINUTE)", positiveInt)
  .option("--json", "as the API returns it")
  .action((o: { tenant: string; name: string; scopes: string[]; rateLimit?: number; json?: boolean }) =>
    run(() => createKeyCommand(api(), { tenant: o.tenant, name: o.name, scopes: o.scopes, ...(o.rateLimit ? { rate_limit_per_minute: o.rateLimit } : {}) }, output(o.json))),
  );
keys.command("list").description("every key, without key material").option("--json", "as the API returns it").action((o: { json?: boolean }) => run(() => listKeysCommand(api(), output(o.json))));
keys.command("revoke").description("refuse a key from now on, on every gateway").argument("<key_id>").action((id: string) => run(() => revokeKeyCommand(api(), id, output(false))));

program
  .command("dlq")
  .description("dead-lettered messages (NATS, as for events)")
  .command("list")
  .description("every dead-lettered message with where it came from and why")
  .option("--json", "one object per message")
  .action((o: { json?: boolean }) =>
    overNats("dlq-list", async ({ js, jsm, topology }) => {
      const letters = await deadLetters(js, jsm, topology);
      if (o.json) return JSON.stringify(letters, null, 2);
      if (letters.length === 0) return "no dead-lettered messages";
      return letters.map((d) => `#${d.seq}  from ${d.from}${d.consumer ? ` (${d.consumer})` : ""}  after ${d.deliveries || "?"} deliveries: ${d.reason}`).join("\n");
    }),
  );

const events = program.command("events").description("operator tools over the event stream (NATS: NATS_URL, CHORUS_SUBJECT_PREFIX, NATS_USER/NATS_PASSWORD or NATS_CREDS_FILE)");
events
  .command("export")
  .description("write the event stream, or the events stored in [since, until), to a gzip-compressed NDJSON file")
  .requiredOption("-o, --out <file>", "the file to write")
  .option("--since <time>", "ISO 8601 instant", instant)
  .option("--until <time>", "ISO 8601 instant", instant)
  .action((o: { out: string; since?: Date; until?: Date }) =>
    overNats("events-export", async ({ js, jsm, topology }) => {
      const out = createWriteStream(o.out);
      await once(out, "open"); // an unwritable path fails here, with its reason, before anything is read
      const result = await exportEvents({ js, jsm, stream: topology.streams.events, out, ...(o.since ? { since: o.since } : {}), ...(o.until ? { until: o.until } : {}) });
      const range = result.firstSeq === null ? "nothing to export" : `sequences ${result.firstSeq}–${result.lastSeq}`;
      return `exported ${result.messages} events of ${topology.streams.events} to ${o.out} (${range})`;
    }),
  );
events
  .command("tail")
  .description("follow the event stream from now on (or from the start), one event per line as JSON; Ctrl-C stops")
  .option("-r, --request <id>", "one request's events only")
  .option("-t, --type <type>", "one event type only (RequestCompleted, AgentFailed, …)")
  .option("--all", "from the first stored event")
  .action((o: { request?: string; type?: string; all?: boolean }) =>
    overNats("events-tail", async ({ js, topology }) => {
      const stop = new AbortController();
      process.once("SIGINT", () => stop.abort());
      process.once("SIGTERM", () => stop.abort());
      await tailEvents({ js, topology, ...(o.request ? { requestId: o.request } : {}), ...(o.type ? { type: o.type } : {}), all: o.all === true, write: (line) => process.stdout.write(`${line}\n`), signal: stop.signal });
    }),
  );
events
  .command("import")
  .description("store exported files, in order, into an empty event stream (a restore); then npm run projector:rebuild")
  .argument("<files...>")
  .action((files: string[]) =>
    overNats("events-import", async ({ js, jsm, topology, config, logger }) => {
      // On an empty NATS the streams are not there yet: made as the services make them.
      await ensureStreams(jsm, topology, streamLimits(config), logger);
      const result = await importEvents({ js, jsm, stream: topology.streams.events, prefix: topology.prefix, files });
      return `imported ${result.messages} events into ${topology.streams.events} (${result.duplicates} duplicates dropped)`;
    }),
  );

program
  .command("projector")
  .description("the read models")
  .command("rebuild")
  .description("rebuild the read models from the event stream and swap them in while the projector runs (NATS and DATABASE_URL as for the projector)")
  .action(() => {
    // The projector's own command (npm run projector:rebuild), run as it is: its configuration, its output, its exit code.
    const entry = fileURLToPath(import.meta.resolve("@chorus/projector/rebuild"));
    const ran = spawnSync(process.execPath, [...process.execArgv, entry], { stdio: "inherit", env: process.env });
    process.exitCode = ran.status ?? EXIT.failed;
  });

program
  .command("completion")
  .description("print a shell completion script: source <(npx chorus completion bash), or for zsh: source <(npx chorus completion zsh)")
  .addArgument(new Argument("<shell>").choices(["bash", "zsh"]))
  .action((shell: "bash" | "zsh") => {
    process.stdout.write(`${shell === "zsh" ? "autoload -U +X bashcompinit && bashcompinit\n" : ""}${bashCompletion(program)}`);
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  else if (err instanceof InvalidArgumentError) {
    process.stderr.write(`chorus: ${err.message}\n`);
    process.exitCode = EXIT.usage;
  } else throw err;
}
