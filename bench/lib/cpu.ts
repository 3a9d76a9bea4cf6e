// CPU time of processes, from /proc/<pid>/stat (utime + stime, in clock ticks), so a load
// point can say which process spent the machine's two cores: each Chorus service, the
// NATS server, Postgres (every backend summed) and the load generator itself.
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds a process has used so far, or NaN when it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces; fields after it start at ") ".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** Pids whose executable name is `comm` (e.g. "nats-server", "postgres"). */
export function pidsNamed(comm: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === comm) pids.push(Number(entry));
    } catch {
      // gone between readdir and read
    }
  }
  return pids;
}

export type CpuGroups = Record<string, () => number[]>;

/** CPU seconds per group between start and stop; groups are re-resolved at each read (Postgres forks backends). */
export function measureCpu(groups: CpuGroups): { stop(): Record<string, number> } {
  const read = () => {
    const totals: Record<string, Map<number, number>> = {};
    for (const [name, pids] of Object.entries(groups)) {
      totals[name] = new Map(pids().map((pid) => [pid, cpuSeconds(pid)]));
    }
    return totals;
  };
  const before = read();
  return {
    stop() {
      const after = read();
      const spent: Record<string, number> = {};
      for (const [name, pids] of Object.entries(after)) {
        let sum = 0;
        for (const [pid, now] of pids) {
          if (!Number.isFinite(now)) continue;
          // A backend that started during the point counts from zero.
          sum += now - (before[name]?.get(pid) ?? 0);
        }
        spent[name] = sum;
      }
      return spent;
    },
  };
}
