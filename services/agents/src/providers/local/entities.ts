// Offline named entities: compromise for people, organisations and places; wink-nlp
// (plus a compromise pattern) for dates and money. Offsets always index the caller's
// original string: each span is re-located there, never taken from a package.
import type { ItemEntity } from "wink-nlp";
import { readWholeText } from "./document.ts";
import { getCompromise, getWink } from "./nlp.ts";
import { locate } from "./locate.ts";

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
  pre: string;
  post: string;
  tags: string[];
  offset?: { start: number; length: number };
}
interface CompromiseMatch {
  terms: CompromiseTerm[];
}

interface Candidate {
  text: string;
  type: EntityType;
  hint: number;
}

// When overlapping spans are equally long: the pattern-based types are the precise
// ones; compromise's name guesses are looser, places loosest (it tags "America" in
// "Bank of America").
const PRIORITY: Record<EntityType, number> = { MONEY: 0, DATE: 1, PERSON: 2, ORGANIZATION: 3, LOCATION: 4 };

// compromise lets a match run across brackets or quotes ("Jerome Powell (Fed"); such
// punctuation between two terms ends a name. Commas end people and organisations but
// not places ("Washington, D.C.").
const HARD_BREAK = /[()[\]{}"“”«»;:!?|/\n]/;

function breaksBetween(a: CompromiseTerm, b: CompromiseTerm, type: EntityType): boolean {
  const sep = a.post + b.pre;
  return HARD_BREAK.test(sep) || (type !== "LOCATION" && sep.includes(","));
}

/** Turns one compromise match into the text it should cover, or null. */
function fromCompromise(match: CompromiseMatch, type: EntityType): Candidate | null {
  let terms = match.terms;
  if (type === "PERSON") {
    // "Dr. Jane Doe" is the person Jane Doe; the title is not part of the name.
    const firstName = terms.findIndex((t) => !t.tags.includes("Honorific"));
    terms = firstName === -1 ? [] : terms.slice(firstName);
  }
  if (terms.length === 0) return null;

  // Keep the longest unbroken run of terms (the first, on a tie).
  let best: CompromiseTerm[] = [];
  let run: CompromiseTerm[] = [terms[0]!];
  for (let i = 1; i <= terms.length; i += 1) {
    const t = terms[i];
    if (t && !breaksBetween(terms[i - 1]!, t, type)) {
      run.push(t);
      continue;
    }
    if (run.length > best.length) best = run;
    if (t) run = [t];
  }

  let text = best[0]!.text;
  for (let i = 1; i < best.length; i += 1) text += best[i - 1]!.post + best[i]!.pre + best[i]!.text;
  const last = best[best.length - 1]!;
  // compromise keeps an abbreviation's period in `post` ("Inc" + ". "): it belongs to the name.
  if (last.tags.includes("Abbreviation") && last.post.startsWith(".") && !text.endsWith(".")) text += ".";
  // "Apple's results": the possessive is not part of the name.
  if (type !== "MONEY") text = text.replace(/['’]s$/, "");
  return { text, type, hint: best[0]!.offset?.start ?? 0 };
}

function compromiseCandidates(text: string): Candidate[] {
  const doc = getCompromise()(text);
  const views: Array<[EntityType, { json: (o: object) => unknown }]> = [
    ["PERSON", doc.people()],
    ["ORGANIZATION", doc.organizations()],
    ["LOCATION", doc.places()],
    // money() alone drops the multiplier ("$2" of "$2 million").
    ["MONEY", doc.match("#Money+ #Multiple? #Currency?")],
  ];
  const out: Candidate[] = [];
  for (const [type, view] of views) {
    for (const m of view.json({ offset: true }) as CompromiseMatch[]) {
      const c = fromCompromise(m, type);
      if (c) out.push(c);
    }
  }
  return out;
}

function winkCandidates(text: string): Candidate[] {
  const { its } = getWink();
  const { doc, starts } = readWholeText(text);
  const out: Candidate[] = [];
  doc.entities().each((e: ItemEntity) => {
    const type = e.out(its.type);
    if (type !== "DATE" && type !== "MONEY") return;
    const [first = 0] = e.out(its.span) as number[];
    out.push({ text: e.out(), type, hint: starts[first] ?? 0 });
  });
  return out;
}

export function extractEntities(text: string): { entities: Entity[] } {
  if (text.trim() === "") return { entities: [] };

  const located: Entity[] = [];
  for (const c of [...winkCandidates(text), ...compromiseCandidates(text)]) {
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
