// Offline named entities: people, organisations and places from the proper-noun chunks
// of names.ts (wink's tokens and POS tags, typed with compromise's lexicon, a gazetteer
// and context cues); dates and money from wink-nlp plus a money pattern. Offsets always index the caller's original string: each span is re-located
// there, never taken from a package on trust.
import type { ItemEntity } from "wink-nlp";
import { readWholeText } from "./document.ts";
import { getCompromise, getWink } from "./nlp.ts";
import { locate } from "./locate.ts";
import { CALENDAR } from "./name-cues.ts";
import { findMoney } from "./money.ts";
import { findNames, type NameToken } from "./names.ts";

export type EntityType = "PERSON" | "ORGANIZATION" | "LOCATION" | "DATE" | "MONEY";

export interface Entity {
  text: string;
  type: EntityType;
  start: number;
  end: number;
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

// compromise's lexicon tags, read out of context, as the name finder's evidence; a
// parse of the whole text would add context tags at several times the entities' CPU.
const LEXICON_TAGS: Record<string, string[]> = {
  FirstName: ["FirstName", "Person"],
  MaleName: ["FirstName", "Person"],
  FemaleName: ["FirstName", "Person"],
  LastName: ["LastName", "Person"],
  Person: ["Person"],
  Honorific: ["Honorific"],
  City: ["Place", "City"],
  Country: ["Place", "Country"],
  Region: ["Place", "Region"],
  Place: ["Place"],
  Organization: ["Organization"],
  SportsTeam: ["Organization"],
  Demonym: ["Demonym"],
};

function lexiconEntry(phrase: string): string[] {
  const entry: unknown = (getCompromise().model() as { one: { lexicon: Record<string, unknown> } }).one.lexicon[phrase.toLowerCase()];
  return typeof entry === "string" ? [entry] : Array.isArray(entry) ? (entry as string[]) : [];
}

/** Name tags compromise's lexicon holds for a word or phrase. */
function lexiconTags(phrase: string): string[] {
  return lexiconEntry(phrase).flatMap((t) => LEXICON_TAGS[t] ?? []);
}

/** The lexicon knows the word, and only as an ordinary word ("Former", "Big", "According"). */
function isCommonWord(word: string): boolean {
  const entry = lexiconEntry(word);
  return entry.length > 0 && entry.every((t) => !(t in LEXICON_TAGS) && t !== "ProperNoun" && t !== "Acronym" && t !== "Abbreviation");
}

function nameCandidates(text: string): Candidate[] {
  const { values, types, starts, pos, sentences } = readWholeText(text);
  const tokens: NameToken[] = values.map((value, i) => ({
    value,
    start: starts[i] ?? 0,
    pos: pos[i] ?? "",
    tags: /^\p{Lu}/u.test(value) ? lexiconTags(value) : [],
    common: i === 0 || types[i - 1] === "punctuation" ? isCommonWord(value) : false,
  }));
  return findNames(text, tokens, sentences, lexiconTags).map((n) => ({ text: text.slice(n.start, n.end), type: n.type, hint: n.start }));
}

export function extractEntities(text: string): { entities: Entity[] } {
  if (text.trim() === "") return { entities: [] };

  const money = findMoney(text).map((m): Candidate => ({ text: text.slice(m.start, m.end), type: "MONEY", hint: m.start }));
  const located: Entity[] = [];
  for (const c of [...winkCandidates(text), ...money, ...nameCandidates(text)]) {
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
