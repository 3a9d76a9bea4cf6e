#!/usr/bin/env node
// `chorus`: operator tools over Chorus's event stream. NATS is configured as for the
// services (NATS_URL, CHORUS_SUBJECT_PREFIX, NATS_USER/NATS_PASSWORD or NATS_CREDS_FILE):
// the only file that reads process.env and argv.
//
//   chorus events export --out FILE [--since ISO] [--until ISO]
//   chorus events import FILE...
import { createWriteStream } from "node:fs";
import { parseArgs } from "node:util";
import { BaseConfig, ensureStreams, runCommand, streamLimits, type CommandContext } from "@chorus/platform";
import { exportEvents } from "./events/export-events.ts";
import { importEvents } from "./events/import-events.ts";

const USAGE = `chorus — operator tools over Chorus's event stream

  chorus events export --out FILE [--since TIME] [--until TIME]
      Writes the event stream (or the events stored in [since, until)) to FILE as
      gzip-compressed NDJSON, one message per line, in stream order.
  chorus events import FILE...
      Stores exported files, in order, into an empty event stream (a restore); then run
      npm run projector:rebuild to rebuild the read models from it.

TIME is an ISO 8601 instant (2026-11-30T00:00:00Z). NATS is configured as for the services:
NATS_URL, CHORUS_SUBJECT_PREFIX, NATS_USER / NATS_PASSWORD(_FILE) or NATS_CREDS_FILE.
Backups and restores: docs/operations.md.
`;

function fail(message: string): never {
  process.stderr.write(`chorus: ${message}\n\n${USAGE}`);
  process.exit(64);
}

function instant(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) fail(`--${name} is not an ISO 8601 instant: ${value}`);
  return at;
}

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: { out: { type: "string" }, since: { type: "string" }, until: { type: "string" }, help: { type: "boolean", short: "h" } },
});
const [group, action, ...files] = positionals;

/** Runs one command over the event stream, connected as the services connect; it prints its own one-line result. */
const overEvents = (name: string, work: (ctx: CommandContext<BaseConfig>) => Promise<string>) =>
  runCommand({
    name: `events-${name}`,
    config: BaseConfig,
    env: process.env,
    failure: `${name} failed`,
    run: async (ctx) => void process.stdout.write(`${await work(ctx)}\n`),
  });

if (values.help || group === undefined || group === "help") {
  process.stdout.write(USAGE);
} else if (group === "events" && action === "export") {
  const out = values.out ?? fail("events export needs --out FILE");
  const since = instant(values.since, "since");
  const until = instant(values.until, "until");
  await overEvents("export", async ({ js, jsm, topology }) => {
    const result = await exportEvents({ js, jsm, stream: topology.streams.events, out: createWriteStream(out), ...(since ? { since } : {}), ...(until ? { until } : {}) });
    const range = result.firstSeq === null ? "nothing to export" : `sequences ${result.firstSeq}–${result.lastSeq}`;
    return `exported ${result.messages} events of ${topology.streams.events} to ${out} (${range})`;
  });
} else if (group === "events" && action === "import") {
  if (files.length === 0) fail("events import needs at least one FILE");
  await overEvents("import", async ({ js, jsm, topology, config, logger }) => {
    // On an empty NATS the streams are not there yet: made as the services make them.
    await ensureStreams(jsm, topology, streamLimits(config), logger);
    const result = await importEvents({ js, jsm, stream: topology.streams.events, prefix: topology.prefix, files });
    return `imported ${result.messages} events into ${topology.streams.events} (${result.duplicates} duplicates dropped)`;
  });
} else {
  fail(`unknown command: ${positionals.join(" ")}`);
}
