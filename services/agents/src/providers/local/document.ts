// Reads a text once with wink-nlp and exposes its tokens and sentences with offsets
// into the original string, the common ground of the summariser, the sentiment scorer
// and the entity extractor — which, for one request, read the same text within moments
// of each other in the same process: `readWholeText` keeps the last few readings.
import type { Document, ItemSentence } from "wink-nlp";
import { getWink } from "./nlp.ts";
import { locate, tokenStarts } from "./locate.ts";

export interface SentenceInfo {
  /** Verbatim slice of the original text. */
  text: string;
  start: number;
  end: number;
  /** Inclusive token-index range within the document. */
  firstToken: number;
  lastToken: number;
}

export interface ReadText {
  doc: Document;
  values: string[];
  types: string[];
  /** Universal POS tags (NOUN, PROPN, VERB, …). */
  pos: string[];
  starts: number[];
  sentences: SentenceInfo[];
}

function trimSpan(text: string, start: number, end: number): { start: number; end: number } {
  let s = start;
  let e = end;
  while (s < e && /\s/.test(text[s]!)) s += 1;
  while (e > s && /\s/.test(text[e - 1]!)) e -= 1;
  return { start: s, end: e };
}

export function readText(text: string): ReadText {
  const { nlp, its } = getWink();
  const doc = nlp.readDoc(text);
  const tokens = doc.tokens();
  const values = tokens.out() as string[];
  const types = tokens.out(its.type) as string[];
  const pos = tokens.out(its.pos) as string[];
  const starts = tokenStarts(tokens.out(its.precedingSpaces) as string[], values);

  const sentences: SentenceInfo[] = [];
  doc.sentences().each((s: ItemSentence) => {
    const [first = 0, last = first] = s.out(its.span) as number[];
    const hint = starts[first] ?? 0;
    const tokenEnd = (starts[last] ?? hint) + (values[last] ?? "").length;
    // The token offsets are exact whenever wink reproduces the text verbatim (it
    // normally does); `locate` checks that and searches if it ever does not.
    const span = locate(text, s.out(), hint) ?? trimSpan(text, hint, tokenEnd);
    // A run of blank lines can come back as a "sentence" of its own.
    if (span.end <= span.start) return;
    sentences.push({
      text: text.slice(span.start, span.end),
      start: span.start,
      end: span.end,
      firstToken: first,
      lastToken: last,
    });
  });
  return { doc, values, types, pos, starts, sentences };
}

/** Whole texts whose reading is kept: a few requests' worth of the three agents running at once. */
const KEPT_READINGS = 16;
/** Longer texts are not kept (a reading is several times its text's size). */
const MAX_KEPT_TEXT_LENGTH = 20_000;
const readings = new Map<string, ReadText>();

/**
 * `readText` of a whole input, shared: the three agents of a request each ask for it and
 * wink parses it once (its parse was about half of the offline agents' CPU). Readers only
 * read the document.
 */
export function readWholeText(text: string): ReadText {
  // A long text is read anew by each agent: sixteen of them kept would hold a lot of memory.
  if (text.length > MAX_KEPT_TEXT_LENGTH) return readText(text);
  const kept = readings.get(text);
  if (kept) {
    readings.delete(text);
    readings.set(text, kept);
    return kept;
  }
  const read = readText(text);
  readings.set(text, read);
  if (readings.size > KEPT_READINGS) readings.delete(readings.keys().next().value as string);
  return read;
}
