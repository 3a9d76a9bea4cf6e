// `npm start`: all of Chorus on this machine. Starts NATS and Postgres if none answer,
// migrates the read models, runs the services in child processes (two by default, see
// START_PROCESSES) with each line labelled by its service,
// waits until each is ready, makes sure a development API key exists (the gateway's admin
// key and that key are kept in .data/keys), and on Ctrl-C stops the services, then what it started.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { BaseConfig, ConfigError, DatabaseConfig, ensureDatabase, envInt, loadConfig, migrateReadModels, serviceNodeArgs, servicePrefix } from "@chorus/platform";
import { devKeyFailure, keyedReadyBanner, openApiWarning, openReadyBanner } from "./start/banner.ts";
import { spawnChild, stopChild, type Child, type StartedServer } from "./start/children.ts";
import { ensureAdminKeyFile, ensureDevKey, readAdminKeyFile } from "./start/dev-key.ts";
import { isLocalHost, natsEndpoint, postgresEndpoint, redactUrl } from "./start/endpoints.ts";
import { emphasis, labeller, serviceLabeller, useColour } from "./start/lines.ts";
import { DEV_KEY_SCOPES, displayPath, localKeyPaths, planAuth } from "./start/local-keys.ts";
import { checkJetStream, findOnPath, startNatsServer } from "./start/nats.ts";
import { startEmbeddedPostgres } from "./start/postgres.ts";
import { answersTcp, readyz, waitUntil } from "./start/probes.ts";
import { describeExit, labelWidth, planProcesses, portsOf, processName, processPortVariables, SERVICES, type ServiceSpec } from "./start/services.ts";

// ---- configuration, read once ----

/** The gateway's settings npm start also reads, to decide about keys and where the API listens. */
const GATEWAY_SETTINGS = ["CHORUS_AUTH", "CHORUS_ADMIN_KEY", "CHORUS_ADMIN_KEY_FILE", "CHORUS_TENANT_ID", "HOST"] as const;

const StartConfig = z.object({
  NATS_URL: BaseConfig.shape.NATS_URL,
  DATABASE_URL: DatabaseConfig.shape.DATABASE_URL,
  DEBUG: BaseConfig.shape.DEBUG,
  NO_COLOR: z.string().optional(),
  // The gateway's, read here too: npm start keeps its admin key and makes the development key.
  CHORUS_AUTH: z.enum(["required", "off"]).default("required"),
  CHORUS_ADMIN_KEY: z.string().optional(),
  CHORUS_ADMIN_KEY_FILE: z.string().optional(),
  CHORUS_TENANT_ID: BaseConfig.shape.CHORUS_TENANT_ID,
  /** Where the gateway listens; with CHORUS_AUTH=off npm start makes it 127.0.0.1 unless set. */
  HOST: z.string().optional(),
  /** The directory npm was run from (npm sets it): paths are shown relative to it. */
  INIT_CWD: z.string().optional(),
  /** How long every service gets to become ready. */
  START_TIMEOUT_MS: envInt(1_000, 600_000).default(90_000),
  /** How long a service gets to stop after SIGTERM before it is killed. */
  STOP_GRACE_MS: envInt(100, 120_000).default(25_000),
  /** Which services share a process (see planProcesses): `separate` runs one process per service. */
  START_PROCESSES: z.string().optional(),
});

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const present = SERVICES.filter((s) => existsSync(join(ROOT, s.entry)));
const absent = SERVICES.filter((s) => !present.includes(s));
const plan = planOrExit(process.env.START_PROCESSES);
/** The services that run: those of the planned processes. */
const running = plan.processes.flat();
// A gateway sharing a process reads GATEWAY_<name> before <name> (see runServices): npm
// start decides about keys, the admin key and where the gateway listens from what it reads.
const gatewayShares = plan.processes.some((p) => p.length > 1 && p.some((s) => s.name === "gateway"));
const config = readConfig(gatewayShares ? gatewayView(process.env) : process.env);
const env = { ...process.env };
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1"]);

/**
 * On a developer's machine the first webhook receiver is usually on that machine too, which
 * the services refuse by default (SSRF). npm start allows it unless told otherwise, but only
 * while the gateway listens on loopback alone: a gateway others can reach must not let their
 * keys make it POST to this machine, its network or a cloud metadata address.
 */
function decideLocalWebhooks(): void {
  if (env.WEBHOOK_ALLOW_PRIVATE !== undefined) return;
  const host = gatewayEnv.HOST ?? config.HOST ?? "0.0.0.0";
  if (LOOPBACK_HOSTS.has(host)) {
    env.WEBHOOK_ALLOW_PRIVATE = "true";
    say(`webhooks may go to this machine and private addresses (WEBHOOK_ALLOW_PRIVATE=true: the gateway listens on ${host} only; set WEBHOOK_ALLOW_PRIVATE=false to refuse them)`);
  } else {
    say(`webhooks to this machine and private addresses are refused: the gateway listens on ${host}. For a local receiver, HOST=127.0.0.1 npm start (or WEBHOOK_ALLOW_PRIVATE=true)`);
  }
}
const DATA_DIR = join(ROOT, ".data");
const KEYS = localKeyPaths(ROOT);
const shownPath = (file: string) => displayPath(file, config.INIT_CWD ?? process.cwd());
const startedAt = performance.now();

const colour = useColour(process.stdout.isTTY, config.NO_COLOR);
const width = labelWidth([...SERVICES.map((s) => s.name), "nats", "postgres", "chorus"]);
const lineOf = (name: string, index: number) => labeller(name, width, colour ? index : null);
const own = lineOf("chorus", SERVICES.length + 2);

// ---- state: what this process started, so it can stop exactly that ----

const servers: StartedServer[] = [];
const services: Child[] = [];
let infrastructure: Promise<void> = Promise.resolve();
let stopping = false;
let firstSignalAt = 0;
/** What only the gateway is given: its admin key's file, or HOST when the API is open. */
const gatewayEnv: Record<string, string> = {};
/** The admin key npm start uses to make the development key; null with CHORUS_AUTH=off. */
let adminKey: { key: string; file: string | null } | null = null;

const bold = (text: string) => emphasis(text, colour);

function say(message: string): void {
  for (const line of message.split("\n")) process.stdout.write(`${own(line)}\n`);
}

function planOrExit(setting: string | undefined): Exclude<ReturnType<typeof planProcesses>, { error: string }> {
  const planned = planProcesses(setting, present);
  if (!("error" in planned)) return planned;
  process.stderr.write(`npm start: ${planned.error}\n`);
  process.exit(78);
}

/** The gateway's own settings npm start acts on, as a gateway sharing a process reads them. */
function gatewayView(from: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const prefix = servicePrefix("gateway");
  const own = Object.fromEntries(GATEWAY_SETTINGS.flatMap((name) => (from[`${prefix}${name}`] === undefined ? [] : [[name, from[`${prefix}${name}`]]])));
  return { ...from, ...own };
}

function readConfig(from: NodeJS.ProcessEnv): z.infer<typeof StartConfig> {
  try {
    return loadConfig(StartConfig, from);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`npm start: ${err.message}\n`);
    process.exit(78);
  }
}

// ---- NATS and Postgres ----

async function ensureNats(): Promise<void> {
  const endpoint = natsEndpoint(config.NATS_URL);
  if (await answersTcp(endpoint)) {
    say(`using NATS at ${config.NATS_URL}`);
  } else {
    if (!isLocalHost(endpoint.host)) throw new Error(`no NATS answers at ${config.NATS_URL}, and npm start can only start one on this machine`);
    const binary = findOnPath("nats-server", env.PATH);
    if (!binary) {
      throw new Error(
        `no NATS at ${config.NATS_URL} and no nats-server on PATH: install it (apt-get install nats-server, or docker run -p 4222:4222 nats -js) or set NATS_URL`,
      );
    }
    say(`no NATS at ${config.NATS_URL}: starting ${binary} with JetStream (store .data/nats)`);
    const nats = await startNatsServer({
      binary,
      endpoint,
      storeDir: join(DATA_DIR, "nats"),
      cwd: ROOT,
      env,
      show: config.DEBUG ? lineOf("nats", SERVICES.length) : null,
      timeoutMs: 15_000,
    });
    adopt(nats);
  }
  await checkJetStream(config.NATS_URL);
}

async function ensurePostgres(): Promise<void> {
  const url = redactUrl(config.DATABASE_URL);
  const endpoint = postgresEndpoint(config.DATABASE_URL);
  if (await answersTcp(endpoint)) {
    say(`using Postgres at ${url}`);
    return;
  }
  if (!isLocalHost(endpoint.host)) throw new Error(`no Postgres answers at ${url}, and npm start can only start one on this machine`);
  const dataDir = join(DATA_DIR, "postgres");
  const fresh = !existsSync(join(dataDir, "PG_VERSION"));
  say(`no Postgres at ${url}: starting an embedded one on port ${endpoint.port} (data in .data/postgres${fresh ? ", initialising it" : ""})`);
  const postgres = await startEmbeddedPostgres({
    port: endpoint.port,
    user: decodeURIComponent(new URL(config.DATABASE_URL).username) || "postgres",
    dataDir,
    runningAsRoot: process.getuid?.() === 0,
    show: config.DEBUG ? lineOf("postgres", SERVICES.length + 1) : null,
  });
  adopt(postgres);
}

async function prepareDatabase(): Promise<void> {
  if (await ensureDatabase(config.DATABASE_URL)) say(`created database ${new URL(config.DATABASE_URL).pathname.slice(1)}`);
  const ran = await migrateReadModels(config.DATABASE_URL);
  say(ran.length ? `read models: applied ${ran.length} migration(s)` : "read models are up to date");
}

/** Remembers a server so it is stopped at the end, and treats its death as fatal. */
function adopt(server: StartedServer): void {
  servers.push(server);
  void server.ended?.then((how) => {
    if (!stopping) void shutdown(1, `✗ ${server.name} ended unexpectedly with ${how}`);
  });
}

// ---- API keys ----

/** Decides where the gateway's admin key comes from, making .data/keys/admin.key on first start. */
function prepareAdminKey(): void {
  const plan = planAuth(config, KEYS, process.cwd());
  if ("error" in plan) throw new Error(plan.error);
  if (plan.mode === "off") {
    // An open API on a laptop is fine; on every interface it is not, unless asked for.
    gatewayEnv.HOST = config.HOST ?? "127.0.0.1";
    for (const line of openApiWarning(gatewayEnv.HOST)) say(bold(line));
    return;
  }
  if (plan.admin.from === "env") {
    adminKey = { key: (config.CHORUS_ADMIN_KEY ?? "").trim(), file: null };
    say("admin key: CHORUS_ADMIN_KEY");
    return;
  }
  if (plan.admin.ours) {
    const made = ensureAdminKeyFile(plan.admin.path);
    adminKey = { key: made.key, file: plan.admin.path };
    say(`admin key: ${shownPath(plan.admin.path)}${made.created ? " (made now, readable by you only)" : ""}`);
  } else {
    const read = readAdminKeyFile(plan.admin.path);
    if ("error" in read) throw new Error(read.error);
    adminKey = { key: read.key, file: plan.admin.path };
    say(`admin key: ${shownPath(plan.admin.path)} (CHORUS_ADMIN_KEY_FILE)`);
  }
  gatewayEnv.CHORUS_ADMIN_KEY_FILE = plan.admin.path;
}

// ---- the services ----

/** How long the services of an earlier start get to free their ports (a graceful stop, with margin). */
const PORTS_FREED_WITHIN_MS = 30_000;

async function startServices(): Promise<void> {
  const ports = running.flatMap((s) => portsOf(s, env));
  const busyPorts = async () =>
    (await Promise.all(ports.map(async (p) => ((await answersTcp({ host: "127.0.0.1", port: p.port })) ? p : null)))).filter((p) => p !== null);
  let busy = await busyPorts();
  // Services of a start that ended abruptly stop by themselves (their channel to it closed):
  // give them the time a graceful stop takes before calling the ports taken.
  for (let waited = 0; busy.length > 0 && waited < PORTS_FREED_WITHIN_MS; waited += 500) {
    if (waited === 0) say(`port ${busy.map((p) => p.port).join(", ")} still in use: waiting for the services of an earlier start to stop`);
    await new Promise((r) => setTimeout(r, 500));
    busy = await busyPorts();
  }
  if (busy.length) {
    throw new Error(`port ${busy.map((p) => `${p.port} (${p.what})`).join(", ")} already in use — is Chorus already running?`);
  }
  for (const spec of absent) say(`not starting ${spec.name}: ${spec.entry} does not exist yet`);
  for (const spec of plan.left) say(`not starting ${spec.name}: START_PROCESSES leaves it out`);
  const shared = plan.processes.some((p) => p.length > 1);
  say(`starting ${plan.processes.map(processName).join(", ")}${shared ? " (services joined by + share a process; START_PROCESSES=separate runs one per service)" : ""}`);
  for (const specs of plan.processes) services.push(startProcess(specs));
}

/** One process: a service alone (its main.ts), or several together (services/run.ts). */
function startProcess(specs: readonly ServiceSpec[]): Child {
  const name = processName(specs);
  const [first] = specs;
  const alone = specs.length === 1 && first ? first : null;
  const labelOf = (spec: ServiceSpec) => lineOf(spec.name, SERVICES.indexOf(spec));
  // Lines no one service wrote (a crash of the whole process): under the process's name, uncoloured.
  const show = alone ? labelOf(alone) : serviceLabeller(Object.fromEntries(specs.map((s) => [s.name, labelOf(s)])), labeller(name, width, null));
  // What only the gateway is given goes to it alone in a shared process, as GATEWAY_<name>.
  const forGateway = specs.some((s) => s.name === "gateway") ? Object.fromEntries(Object.entries(gatewayEnv).map(([k, v]) => [alone ? k : `${servicePrefix("gateway")}${k}`, v])) : {};
  const childEnv: Record<string, string | undefined> = {
    ...env,
    NATS_URL: config.NATS_URL,
    DATABASE_URL: config.DATABASE_URL,
    ...processPortVariables(specs, env),
    ...forGateway,
  };
  const args = alone ? serviceNodeArgs(alone.entry) : [...serviceNodeArgs("services/run.ts"), specs.map((s) => s.name).join(",")];
  const child = spawnChild(name, process.execPath, args, {
    cwd: ROOT,
    env: Object.fromEntries(Object.entries(childEnv).filter(([, v]) => v !== undefined)),
    show: { out: show, err: show },
    detached: true,
    channel: true,
  });
  void child.exited.then((exit) => {
    if (!stopping) void shutdown(1, `✗ ${name} exited unexpectedly with ${describeExit(exit)}`);
  });
  return child;
}

async function waitForServices(): Promise<void> {
  const lastSeen = new Map<string, string>();
  const ready = async (spec: ServiceSpec) => {
    if (stopping) return true;
    const r = await readyz(spec.port);
    lastSeen.set(spec.name, r.detail);
    return r.ready;
  };
  // Asked often: a probe is a local HTTP call, and every poll's wait adds to the start-up time shown.
  const results = await Promise.allSettled(running.map((spec) => waitUntil(spec.name, () => ready(spec), config.START_TIMEOUT_MS, 50)));
  const late = running.filter((_, i) => results[i]?.status === "rejected");
  if (late.length) {
    const seconds = Math.round(config.START_TIMEOUT_MS / 1000);
    throw new Error(`not ready after ${seconds} s: ${late.map((s) => `${s.name} (/readyz: ${lastSeen.get(s.name) ?? "no answer"})`).join("; ")}`);
  }
}

async function announce(): Promise<void> {
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  const gateway = running.find((s) => s.name === "gateway");
  if (!gateway) {
    say(emphasis(`Chorus services are ready in ${seconds}s, but there is no gateway to talk to yet`, colour));
    say("Ctrl-C stops everything");
    return;
  }
  const gatewayUrl = `http://127.0.0.1:${gateway.port}`;
  if (!adminKey) {
    show(openReadyBanner({ gatewayUrl, seconds, host: gatewayEnv.HOST ?? "127.0.0.1", bold }));
    return;
  }
  const adminKeyFile = adminKey.file ? shownPath(adminKey.file) : null;
  try {
    const dev = await ensureDevKey({ gatewayUrl, adminKey: adminKey.key, file: KEYS.dev, tenant: config.CHORUS_TENANT_ID });
    if (dev.note) say(dev.note);
    const keyFile = shownPath(KEYS.dev);
    show(
      keyedReadyBanner({ gatewayUrl, seconds, key: dev.key, tenant: config.CHORUS_TENANT_ID, scopes: DEV_KEY_SCOPES, keyFile, created: dev.created, adminKeyFile, bold }),
    );
  } catch (err) {
    for (const line of devKeyFailure(err instanceof Error ? err.message : String(err), gatewayUrl, adminKeyFile, config.CHORUS_TENANT_ID)) say(line);
    say("Ctrl-C stops everything");
  }
}

/** Lines written whole and unlabelled, so the commands in them can be copied as they are. */
function show(lines: string[]): void {
  process.stdout.write(`${lines.join("\n")}\n`);
}

// ---- stopping ----

async function shutdown(code: number, why?: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (why) say(why);
  // A server still starting is stopped once it has started, not left behind.
  await infrastructure.catch(() => undefined);
  const anything = services.length + servers.length > 0;
  if (services.length) say(`stopping ${services.map((s) => s.name).join(", ")}`);
  await Promise.all(services.map((s) => stopChild(s, config.STOP_GRACE_MS)));
  for (const server of [...servers].reverse()) {
    say(`stopping ${server.name}`);
    await server.stop().catch((err: Error) => say(`could not stop ${server.name}: ${err.message}`));
  }
  if (anything) say("stopped");
  process.exit(code);
}

function onSignal(signal: NodeJS.Signals): void {
  if (!stopping) {
    firstSignalAt = Date.now();
    void shutdown(0, `${signal}: stopping`);
    return;
  }
  // One Ctrl-C can arrive twice (from the terminal and forwarded by npm): not a second press.
  if (Date.now() - firstSignalAt < 1_000) return;
  // A second Ctrl-C: do not wait for the services' grace period.
  say(`${signal} again: killing the services now`);
  for (const s of services) if (!s.hasExited()) s.process.kill("SIGKILL");
}

// ---- main ----

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onSignal);
// Children run in their own process groups; if this process dies without stopping them, they still go.
process.on("exit", () => {
  for (const s of services) if (!s.hasExited()) s.process.kill("SIGKILL");
  for (const server of servers) server.killNow?.();
});

try {
  infrastructure = (async () => {
    prepareAdminKey();
    decideLocalWebhooks();
    await ensureNats();
    await ensurePostgres();
    await prepareDatabase();
  })();
  await infrastructure;
  if (!stopping) await startServices();
  if (!stopping) await waitForServices();
  if (!stopping) await announce();
} catch (err) {
  if (!stopping) await shutdown(1, `✗ ${err instanceof Error ? err.message : String(err)}`);
}
