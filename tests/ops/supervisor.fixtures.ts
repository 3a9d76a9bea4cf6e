// A stand-in for `npm start`'s supervisor, run as its own process by supervisor.e2e.test.ts:
// starts one Chorus service the way scripts/start.ts does (scripts/start/children.ts, with
// its IPC channel), prints the service's pid as one JSON line, and then only waits — so the
// test can SIGKILL it and see whether the service outlives it.
// `node tests/ops/supervisor.fixtures.ts <service>[,<service>…]` with the services'
// environment; several names run in one process, through services/run.ts, as npm start does.
import { fileURLToPath } from "node:url";
import { serviceNodeArgs } from "@chorus/platform";
import { spawnChild } from "../../scripts/start/children.ts";

const name = process.argv[2] ?? "orchestrator";
const args = name.includes(",") ? [...serviceNodeArgs("services/run.ts"), name] : serviceNodeArgs(`services/${name}/src/main.ts`);
const child = spawnChild(name, process.execPath, args, {
  cwd: fileURLToPath(new URL("../../", import.meta.url)),
  env: process.env,
  show: null,
  detached: true,
  channel: true,
});
process.stdout.write(`${JSON.stringify({ pid: child.process.pid })}\n`);
// Waits until killed; the interval keeps this process alive (the channel does not).
setInterval(() => undefined, 60_000);
