// A process with two services' shutdowns, for shutdown.int.test.ts: "a" registers at once;
// "b" at once too, or (`late`) only 100 ms after a SIGTERM, as a service still starting
// when the process is told to stop. Each closer takes 200 ms; each step is a line on stdout.
// `node packages/platform/src/shutdown.fixtures.ts [late]`
import { createLogger } from "./logger.ts";
import { onShutdown } from "./shutdown.ts";

const say = (step: string) => process.stdout.write(`${step}\n`);
const closer = (name: string) => ({
  name,
  close: async () => {
    say(`${name} closing`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    say(`${name} closed`);
  },
});
const register = (name: string) => onShutdown(createLogger(name, "silent"), [closer(name)], 5_000);

register("a");
if (process.argv[2] === "late") process.once("SIGTERM", () => setTimeout(() => register("b"), 100));
else register("b");
process.on("exit", (code) => say(`exit ${code}`));
say("ready");
// Alive until stopped.
setInterval(() => undefined, 60_000);
