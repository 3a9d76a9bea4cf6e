import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { Command } from "commander";
import { bashCompletion } from "./completion.ts";

function sample(): Command {
  const program = new Command("chorus");
  program.command("get").argument("<id>").option("--json");
  const events = program.command("events");
  events.command("tail").option("-r, --request <id>").option("--all");
  events.command("export").option("--out <file>");
  return program;
}

/** What bash completes after `words` (the last one being typed), with the generated script loaded. */
function complete(script: string, words: string[]): string[] {
  const line = ["chorus", ...words];
  const program = `${script}\nCOMP_WORDS=(${line.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${line.length - 1}; _chorus_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync("bash", ["-c", program], { encoding: "utf8" }).split("\n").filter(Boolean).sort();
}

describe("bash completion", () => {
  const script = bashCompletion(sample());

  it("completes commands, then a command's own subcommands and options", () => {
    expect(complete(script, [""])).toEqual(["--help", "events", "get"]);
    expect(complete(script, ["ev"])).toEqual(["events"]);
    expect(complete(script, ["events", ""])).toEqual(["--help", "export", "tail"]);
    expect(complete(script, ["events", "tail", "--"])).toEqual(["--all", "--help", "--request"]);
  });

  it("keeps completing a command's options after its arguments", () => {
    expect(complete(script, ["get", "3b24596a", "--j"])).toEqual(["--json"]);
  });
});
