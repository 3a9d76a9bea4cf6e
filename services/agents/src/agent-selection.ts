// Which agents this process runs: `AGENT=all` (every agent, one process) or one agent
// per Deployment (`AGENT=summarizer`), or a comma list of them.
import { AGENT_IDS, AgentId } from "@chorus/contracts";

export type AgentSelection = { ok: true; agents: AgentId[] } | { ok: false; message: string };

export function parseAgentSelection(value: string): AgentSelection {
  const names = value
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== "");
  if (names.length === 0) return { ok: false, message: `name at least one agent, or "all"` };
  if (names.includes("all")) return { ok: true, agents: [...AGENT_IDS] };
  const unknown = names.filter((n) => !AgentId.safeParse(n).success);
  if (unknown.length > 0) {
    return { ok: false, message: `unknown agent ${unknown.map((n) => `"${n}"`).join(", ")}; expected "all" or any of ${AGENT_IDS.join(", ")}` };
  }
  // In the canonical order, each once, whatever order and repeats were given.
  return { ok: true, agents: AGENT_IDS.filter((a) => names.includes(a)) };
}
