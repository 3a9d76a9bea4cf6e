// Summarises the CPU profiles `node bench/point.ts --profile DIR` writes, one folder per
// service: busy time, time by package, and the functions with the most self time.
// `node bench/profile-top.ts DIR [how many functions, default 15]`
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

type CallFrame = { functionName: string; url: string; lineNumber: number };
type Profile = { nodes: { id: number; callFrame: CallFrame }[]; samples: number[]; timeDeltas: number[] };

const [dir, count = "15"] = process.argv.slice(2);
if (!dir) throw new Error("usage: node bench/profile-top.ts DIR [how many functions]");

/** Where a frame's code lives: an npm package, a Node built-in, a file of ours, or the VM's own (idle, GC, a syscall). */
function home(frame: CallFrame): string {
  const { url } = frame;
  if (url.includes("node_modules/")) {
    const [first, second] = (url.split("node_modules/").at(-1) ?? "").split("/");
    return first?.startsWith("@") ? `${first}/${second}` : (first ?? url);
  }
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0]}`;
  if (url) return url.replace(/^.*?\/(packages|services|bench)\//, "$1/").split("/").slice(0, 2).join("/");
  return frame.functionName || "(native)";
}

const add = (totals: Map<string, number>, key: string, us: number) => totals.set(key, (totals.get(key) ?? 0) + us);
const top = (totals: Map<string, number>, n: number) => [...totals].sort((a, b) => b[1] - a[1]).slice(0, n);

for (const service of readdirSync(dir)) {
  const file = readdirSync(join(dir, service)).find((f) => f.endsWith(".cpuprofile"));
  if (!file) continue;
  const profile = JSON.parse(readFileSync(join(dir, service, file), "utf8")) as Profile;
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const frame = frames.get(id);
    if (!frame) return;
    total += us;
    if (frame.functionName === "(idle)") idle += us;
    add(byPackage, home(frame), us);
    add(byFunction, `${frame.functionName || "(anonymous)"} ${frame.url.replace(/^.*node_modules\//, "")}:${frame.lineNumber}`, us);
  });
  const ms = (us: number) => (us / 1000).toFixed(0);
  console.log(`\n${service}: busy ${ms(total - idle)} ms of ${ms(total)} ms`);
  console.log(`  by package: ${top(byPackage, 12).map(([k, us]) => `${k} ${ms(us)}`).join(", ")}`);
  for (const [name, us] of top(byFunction, Number(count))) console.log(`  ${ms(us).padStart(6)} ms  ${name}`);
}
