// Several services' shutdowns in one process (services/run.ts): one SIGTERM runs every
// service's closers, also those of a service that registers while the others stop, and the
// process exits 0 only once the last has finished. A real process, a real signal.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const FIXTURE = fileURLToPath(new URL("./shutdown.fixtures.ts", import.meta.url));

/** Runs the fixture, SIGTERMs it once it is ready, and returns its lines and exit code. */
async function stopped(mode: "together" | "late"): Promise<{ lines: string[]; code: number | null }> {
  const child = spawn(process.execPath, [FIXTURE, ...(mode === "late" ? ["late"] : [])], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    if (out.startsWith("ready\n") && !child.killed) child.kill("SIGTERM");
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { lines: out.trim().split("\n"), code };
}

describe("one SIGTERM in a process of several services", () => {
  it("runs every service's closers together and exits 0 after the last", async () => {
    const { lines, code } = await stopped("together");
    expect(code).toBe(0);
    expect(lines.slice(1, 3).sort()).toEqual(["a closing", "b closing"]);
    expect(lines.slice(3, 5).sort()).toEqual(["a closed", "b closed"]);
    expect(lines.at(-1)).toBe("exit 0");
  });

  it("also stops a service that registers while the others stop, and waits for it", async () => {
    const { lines, code } = await stopped("late");
    expect(code).toBe(0);
    expect(lines).toEqual(["ready", "a closing", "b closing", "a closed", "b closed", "exit 0"]);
  });
});
