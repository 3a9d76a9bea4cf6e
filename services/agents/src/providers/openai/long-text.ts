// Long texts, map-reduce style, as pure functions: cut a text into chunks on sentence
// boundaries, then merge what each chunk's call answered into one output per agent.
import type { EntitiesOutput, Entity, SentimentOutput, TokenUsage } from "@chorus/contracts";

export type Span = { start: number; end: number };
export type Chunk = Span & { text: string };

/** Characters per token, for English prose; used both ways (budget from tokens, estimate from text). */
export const CHARS_PER_TOKEN = 4;

/** Cuts a span longer than `max` at whitespace (or hard, if a "word" is longer than `max`). */
function cutLong(text: string, span: Span, max: number): Span[] {
  const out: Span[] = [];
  let start = span.start;
  while (span.end - start > max) {
    const window = text.slice(start, start + max);
    const space = window.search(/\s\S*$/);
    const end = space > 0 ? start + space : start + max;
    out.push({ start, end });
    start = end;
    while (start < span.end && /\s/.test(text[start]!)) start += 1;
  }
  if (span.end > start) out.push({ start, end: span.end });
  return out;
}

/**
 * Groups consecutive sentences into chunks of at most `maxChars` characters (a sentence
 * longer than that is cut at whitespace). One chunk when the whole text fits.
 */
export function chunkText(text: string, sentences: readonly Span[], maxChars: number): Chunk[] {
  if (text.length <= maxChars || sentences.length === 0) return [{ start: 0, end: text.length, text }];
  const pieces = sentences.flatMap((s) => cutLong(text, s, maxChars));
  const chunks: Span[] = [];
  let current: Span | null = null;
  for (const p of pieces) {
    if (current && p.end - current.start <= maxChars) current = { start: current.start, end: p.end };
    else {
      if (current) chunks.push(current);
      current = { ...p };
    }
  }
  if (current) chunks.push(current);
  return chunks.map((c) => ({ ...c, text: text.slice(c.start, c.end) }));
}

/** Adds token counts; null when no call reported any. */
export function addUsage(a: TokenUsage | null, b: TokenUsage | null): TokenUsage | null {
  if (!a) return b;
  if (!b) return a;
  return {
    prompt_tokens: a.prompt_tokens + b.prompt_tokens,
    completion_tokens: a.completion_tokens + b.completion_tokens,
    total_tokens: a.total_tokens + b.total_tokens,
  };
}

export type NamedEntity = Pick<Entity, "text" | "type">;

/**
 * Places the entities a model named in `chunk` at their offsets in the whole text: the
 * first occurrence of each (exact, else ignoring case). A name that is not in the text
 * is dropped: an entity the text does not contain cannot be pointed at.
 */
export function placeEntities(named: readonly NamedEntity[], chunk: Chunk): Entity[] {
  const out: Entity[] = [];
  const lower = chunk.text.toLowerCase();
  for (const e of named) {
    const needle = e.text.trim();
    if (needle === "") continue;
    let at = chunk.text.indexOf(needle);
    if (at === -1) at = lower.indexOf(needle.toLowerCase());
    if (at === -1) continue;
    const start = chunk.start + at;
    out.push({ text: chunk.text.slice(at, at + needle.length), type: e.type, start, end: start + needle.length });
  }
  return out;
}

/**
 * Entities from every chunk as one list: each distinct entity (type and text, ignoring
 * case) once, at its first mention, in text order, with no two spans overlapping.
 */
export function mergeEntities(lists: ReadonlyArray<readonly Entity[]>): EntitiesOutput {
  const all = lists.flat().sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start));
  const seen = new Set<string>();
  const kept: Entity[] = [];
  for (const e of all) {
    const key = `${e.type}\u0000${e.text.toLowerCase()}`;
    if (seen.has(key)) continue;
    if (kept.some((k) => e.start < k.end && e.end > k.start)) continue;
    seen.add(key);
    kept.push(e);
  }
  return { entities: kept };
}

// Must match how one call labels: a part at or beyond this score is clearly one-sided.
const CLEAR = 0.3;
const NEUTRAL_BAND = 0.1;

/**
 * One sentiment for the whole text from each chunk's, weighted by chunk length. Mixed
 * is kept: a mixed chunk, or clearly positive and clearly negative chunks, make the
 * whole mixed.
 */
export function aggregateSentiment(parts: ReadonlyArray<{ sentiment: SentimentOutput; weight: number }>): SentimentOutput {
  const total = parts.reduce((s, p) => s + Math.max(0, p.weight), 0);
  if (parts.length === 0 || total === 0) return { label: "neutral", score: 0, confidence: 0 };
  const mean = (f: (s: SentimentOutput) => number) => parts.reduce((s, p) => s + f(p.sentiment) * Math.max(0, p.weight), 0) / total;
  const score = Math.max(-1, Math.min(1, mean((s) => s.score)));
  const confidence = Math.max(0, Math.min(1, mean((s) => s.confidence)));
  const anyMixed = parts.some((p) => p.sentiment.label === "mixed");
  const clearlyPositive = parts.some((p) => p.sentiment.label === "positive" && p.sentiment.score >= CLEAR);
  const clearlyNegative = parts.some((p) => p.sentiment.label === "negative" && p.sentiment.score <= -CLEAR);
  const label: SentimentOutput["label"] =
    anyMixed || (clearlyPositive && clearlyNegative)
      ? "mixed"
      : Math.abs(score) < NEUTRAL_BAND
        ? "neutral"
        : score > 0
          ? "positive"
          : "negative";
  const round3 = (x: number) => Math.round(x * 1000) / 1000 + 0;
  return { label, score: round3(score), confidence: round3(confidence) };
}
