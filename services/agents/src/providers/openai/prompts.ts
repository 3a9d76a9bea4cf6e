// The chat messages sent for each agent: a system prompt saying what to return, the
// text, and in sequential mode the earlier agents' outputs as context. Pure.
import { AGENT_IDS, type AgentId } from "@chorus/contracts";
import type { AgentContext } from "../provider.ts";

export type ChatMessage = { role: "system" | "user" | "assistant"; content: string };

/** What one call is for: the agent's own job on a text, or combining partial summaries of a long one. */
export type Task = { kind: "analyze"; agent: AgentId } | { kind: "combine_summaries" };

const SYSTEM: Record<AgentId, string> = {
  summarizer:
    "You summarize text faithfully. Answer with JSON: `summary`, two to four sentences that state the text's main point " +
    "and its most important facts, adding nothing the text does not say; and `key_points`, three to five short, " +
    "self-contained statements of its most important facts, most important first.",
  sentiment:
    "You judge the overall sentiment the author expresses in a text. Answer with JSON: `label` is positive, negative, " +
    "neutral (factual, no opinion) or mixed (clearly positive and clearly negative parts both present); `score` from -1 " +
    "(very negative) to 1 (very positive), near 0 for neutral or balanced; `confidence` from 0 to 1.",
  entity_extractor:
    "You extract named entities from a text. Types: PERSON (people's names, without titles such as Dr. or Mr.), " +
    "ORGANIZATION (companies, institutions, teams, agencies), LOCATION (countries, cities, regions, places), DATE " +
    "(dates and date expressions such as 'March 3, 2024' or 'last Tuesday'), MONEY (amounts with their currency and " +
    "multiplier, such as '$2 million'). Answer with JSON: `entities`, each distinct entity once, in order of first " +
    "appearance, its `text` copied exactly as it appears in the text (same spelling, case and punctuation) and its `type`.",
};

const COMBINE_SYSTEM =
  "You are given summaries of consecutive parts of one long text, in order. Combine them into one summary of the whole " +
  "text. Answer with JSON: `summary`, two to four sentences covering the whole text; `key_points`, three to five short, " +
  "self-contained statements of its most important facts, most important first. Add nothing the summaries do not say.";

/** Earlier agents' outputs, in the order the agents run, as a block the model can read. */
export function contextBlock(context: AgentContext): string | null {
  const entries = AGENT_IDS.filter((a) => context[a] !== undefined).map((a) => `${a}: ${JSON.stringify(context[a])}`);
  if (entries.length === 0) return null;
  return "Outputs of the agents that already ran on this same text, for context:\n" + entries.join("\n");
}

export function messagesFor(task: Task, text: string, context: AgentContext): ChatMessage[] {
  if (task.kind === "combine_summaries") {
    return [
      { role: "system", content: COMBINE_SYSTEM },
      { role: "user", content: text },
    ];
  }
  const block = contextBlock(context);
  const user = `${block ? `${block}\n\n` : ""}Text:\n${text}`;
  return [
    { role: "system", content: SYSTEM[task.agent] },
    { role: "user", content: user },
  ];
}

/** The follow-up that asks once more after an answer that did not validate. */
export function correctionMessages(previous: ChatMessage[], answer: string, problem: string): ChatMessage[] {
  return [
    ...previous,
    { role: "assistant", content: answer },
    {
      role: "user",
      content: `That answer is not valid: ${problem}. Answer again with JSON that matches the required schema exactly.`,
    },
  ];
}

/** Partial summaries, numbered, as the text of a combine call. */
export function partialSummariesText(parts: ReadonlyArray<{ summary: string; key_points: string[] }>): string {
  return parts
    .map((p, i) => `Part ${i + 1}:\n${p.summary}${p.key_points.length ? `\nKey points:\n${p.key_points.map((k) => `- ${k}`).join("\n")}` : ""}`)
    .join("\n\n");
}
