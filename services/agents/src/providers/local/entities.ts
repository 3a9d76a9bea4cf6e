// Offline named entities: people, organisations and places from the proper-noun chunks
// of names.ts (wink's tokens and POS tags, typed with compromise's lexicon tags, a
// gazetteer and context cues); dates and money from wink-nlp plus a compromise money
// pattern. Offsets always index the caller's original string: each span is re-located
// there, never taken from a package on trust.
import type { ItemEntity } from "wink-nlp";
import { readWholeText } from "./document.ts";
import { getCompromise, getWink } from "./nlp.ts";
import { locate } from "./locate.ts";
import { CALENDAR } from "./name-cues.ts";
import { findNames, type NameToken } from "./names.ts";

export type EntityType = "PERSON" | "ORGANIZATION" | "LOCATION" | "DATE" | "MONEY";

export interface Entity {
  text: string;
  type: EntityType;
  start: number;
  end: number;
}

// The slice of compromise's `.json({ offset: true })` output used here (typed `any` upstream).
interface CompromiseTerm {
  text: string;
  tags: string[];
  offset?: { start: number; length: number };
}
interface CompromiseMatch {
  text: string;
  terms: CompromiseTerm[];
  offset?: { start: number; length: number };
}

interface Candidate {
  text: string;
  type: EntityType;
  hint: number;
}

// When overlapping spans are equally long: the pattern-based types are the precise ones.
const PRIORITY: Record<EntityType, number> = { MONEY: 0, DATE: 1, PERSON: 2, ORGANIZATION: 3, LOCATION: 4 };

// "by 2026", "on Monday", "last March": the lead-in words are not part of the date.
const DATE_LEAD_IN = /^(?:(?:by|in|on|at|since|until|till|from|to|last|next|this|that|early|late|mid|the|of|before|after|around|during|for)\s+)+/;

/** A date as labelled: absolute (a digit, a month or a weekday), without its lead-in. */
function cleanDate(text: string): string | null {
  const trimmed = text.replace(DATE_LEAD_IN, "");
  const words = trimmed.toLowerCase().match(/\p{L}+/gu) ?? [];
  if (!/\d/.test(trimmed) && !words.some((w) => CALENDAR.has(w))) return null;
  return trimmed;
}

function winkCandidates(text: string): Candidate[] {
  const { its } = getWink();
  const { doc, starts } = readWholeText(text);
  const out: Candidate[] = [];
  doc.entities().each((e: ItemEntity) => {
    const kind = e.out(its.type);
    // wink reads "since 2011" as a duration; with a year in it, it is a date here.
    const type = kind === "DURATION" && /\b(1[5-9]|20)\d\d\b/.test(e.out()) ? "DATE" : kind;
    if (type !== "DATE" && type !== "MONEY") return;
    const [first = 0] = e.out(its.span) as number[];
    const value = type === "DATE" ? cleanDate(e.out()) : e.out();
    if (value) out.push({ text: value, type, hint: starts[first] ?? 0 });
  });
  return out;
}

/** compromise's reading: money amounts with their multiplier, and each term's tags by offset. */
function compromiseReading(text: string): { money: Candidate[]; tagsAt: Map<number, string[]> } {
  const doc = getCompromise()(text);
  const tagsAt = new Map<number, string[]>();
  for (const sentence of doc.json({ offset: true }) as CompromiseMatch[]) {
    for (const t of sentence.terms) if (t.offset) tagsAt.set(t.offset.start, t.tags);
  }
  // money() alone drops the multiplier ("$2" of "$2 million").
  const money: Candidate[] = [];
  for (const m of doc.match("#Money+ #Multiple? #Currency?").json({ offset: true }) as CompromiseMatch[]) {
    const terms = m.terms;
    if (terms.length === 0) continue;
    const start = terms[0]!.offset?.start ?? 0;
    const last = terms.at(-1)!;
    const end = last.offset ? last.offset.start + last.offset.length : start;
    money.push({ text: end > start ? text.slice(start, end) : m.text, type: "MONEY", hint: start });
  }
  return { money, tagsAt };
}

/** compromise's lexicon tag of a word out of context ("Scottish" is a demonym even before "government"). */
function lexiconTag(word: string): string[] {
  const tag: unknown = (getCompromise().model() as { one: { lexicon: Record<string, unknown> } }).one.lexicon[word.toLowerCase()];
  return typeof tag === "string" ? [tag] : [];
}

function nameCandidates(text: string, tagsAt: Map<number, string[]>): Candidate[] {
  const { values, starts, pos, sentences } = readWholeText(text);
  const tokens: NameToken[] = values.map((value, i) => ({
    value,
    start: starts[i] ?? 0,
    pos: pos[i] ?? "",
    tags: [...(tagsAt.get(starts[i] ?? -1) ?? []), ...(/^\p{Lu}/u.test(value) ? lexiconTag(value) : [])],
  }));
  return findNames(text, tokens, sentences).map((n) => ({ text: text.slice(n.start, n.end), type: n.type, hint: n.start }));
}

export function extractEntities(text: string): { entities: Entity[] } {
  if (text.trim() === "") return { entities: [] };

  const { money, tagsAt } = compromiseReading(text);
  const located: Entity[] = [];
  for (const c of [...winkCandidates(text), ...money, ...nameCandidates(text, tagsAt)]) {
    if (!/[\p{L}\p{N}]/u.test(c.text)) continue;
    const span = locate(text, c.text, c.hint);
    if (!span) continue; // cannot be placed in the original: better absent than wrong
    located.push({ text: text.slice(span.start, span.end), type: c.type, start: span.start, end: span.end });
  }

  // Longest first, so "$2 million" beats "$2" and "New York Times" beats "New York".
  located.sort(
    (a, b) => b.end - b.start - (a.end - a.start) || PRIORITY[a.type] - PRIORITY[b.type] || a.start - b.start,
  );
  const kept: Entity[] = [];
  for (const e of located) {
    if (kept.every((k) => e.end <= k.start || e.start >= k.end)) kept.push(e);
  }
  kept.sort((a, b) => a.start - b.start || a.end - b.end);
  return { entities: kept };
}
