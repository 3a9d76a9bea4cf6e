// Resident memory of processes, from /proc/<pid>/status (VmRSS), sampled while load runs.
import { readFileSync } from "node:fs";

/** VmRSS in MiB, or NaN when the process is gone or /proc is not there. */
export function rssMiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export type RssSampler = { stop(): Record<string, number> };

/** Samples every `everyMs` and keeps each process's maximum. */
export function sampleRss(pids: Record<string, number>, everyMs = 250): RssSampler {
  const peak: Record<string, number> = {};
  const take = () => {
    for (const [name, pid] of Object.entries(pids)) {
      const v = rssMiB(pid);
      if (Number.isFinite(v)) peak[name] = Math.max(peak[name] ?? 0, v);
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return peak;
    },
  };
}
