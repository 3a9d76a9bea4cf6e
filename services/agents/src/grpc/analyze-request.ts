// What Agent.Analyze accepts, checked before any provider is called: a known agent, a text
// within the same cap as the REST API's (MAX_TEXT_LENGTH, in code points) that every store
// accepts, and a context shaped like the pipeline's (earlier agents' outputs). Pure.
import { z } from "zod";
import { AGENT_IDS, AgentId, AgentOutput, codePointLength, unstorableTextIn } from "@chorus/contracts";
import type { AgentContext } from "../providers/provider.ts";

// The context goes into the prompt too: bounded relative to the text, so it cannot carry
// what the text cap keeps out. Generous, since an entity list runs longer than its text.
const CONTEXT_LENGTH_PER_TEXT_LENGTH = 10;

const Context = z.partialRecord(AgentId, AgentOutput);

export type AnalyzeInput = { agent: string; text: string; context: unknown };
export type AnalyzeRequestVerdict = { ok: true; agent: AgentId; text: string; context: AgentContext } | { ok: false; message: string };

function textProblem(text: string, maxTextLength: number): string | undefined {
  if (text.trim() === "") return "text must not be empty";
  // UTF-16 units bound code points from above, so most texts need no count.
  const length = text.length <= maxTextLength ? text.length : codePointLength(text);
  if (length > maxTextLength) return `text is too long: ${length} characters (Unicode code points), at most ${maxTextLength} (MAX_TEXT_LENGTH)`;
  const unstorable = unstorableTextIn(text);
  if (unstorable?.kind === "nul") return `text must not contain the NUL character (U+0000), found at position ${unstorable.index}`;
  if (unstorable?.kind === "lone_surrogate") return `text must be valid Unicode: an unpaired UTF-16 surrogate was found at code point ${unstorable.codePoint}`;
  return undefined;
}

/** The request as the provider takes it, or why it is refused (an INVALID_ARGUMENT). */
export function readAnalyzeRequest(input: AnalyzeInput, maxTextLength: number): AnalyzeRequestVerdict {
  const agent = AgentId.safeParse(input.agent);
  if (!agent.success) return { ok: false, message: `agent must be one of ${AGENT_IDS.join(", ")}` };
  const problem = textProblem(input.text ?? "", maxTextLength);
  if (problem) return { ok: false, message: problem };
  const context = Context.safeParse(input.context ?? {});
  if (!context.success) {
    const issues = context.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
    return { ok: false, message: `context must hold earlier agents' outputs by agent id (${issues})` };
  }
  const maxContextLength = CONTEXT_LENGTH_PER_TEXT_LENGTH * maxTextLength;
  const contextLength = JSON.stringify(context.data).length;
  if (contextLength > maxContextLength) {
    return { ok: false, message: `context is too long: ${contextLength} characters as JSON, at most ${maxContextLength} (${CONTEXT_LENGTH_PER_TEXT_LENGTH} × MAX_TEXT_LENGTH)` };
  }
  return { ok: true, agent: agent.data, text: input.text, context: context.data };
}
