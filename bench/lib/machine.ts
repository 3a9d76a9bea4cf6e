// A description of the machine a run measured, so figures are read against their hardware.
import { cpus, loadavg, totalmem } from "node:os";

export type Machine = {
  cpu: string;
  cores: number;
  ramGiB: number;
  node: string;
  natsServer: string;
  platform: string;
  /** 1-minute load average when the run began: other work on the machine skews every figure. */
  loadAtStart: number;
};

export function describeMachine(natsServer: string): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? "unknown",
    cores: list.length,
    ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    natsServer,
    platform: `${process.platform} ${process.arch}`,
    loadAtStart: Math.round((loadavg()[0] ?? NaN) * 100) / 100,
  };
}
