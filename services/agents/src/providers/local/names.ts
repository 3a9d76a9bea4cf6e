// People, organisations and places, as pure functions over a read text: proper-noun
// chunks come from wink's tokens and POS tags (exact offsets), and each chunk is typed
// by the evidence around it — compromise's lexicon tags, a gazetteer of countries and
// capitals, organisation suffixes ("Inc.", "Group"), titles ("Dr.", "Prime Minister"),
// roles ("chief executive of"), verbs ("said", "reported") and prepositions ("in",
// "based in"). A last pass makes a text agree with itself: "Tim Cook … Cook" is one
// person, and a name typed once is typed the same everywhere.
import {
  CALENDAR, LOWER_LEGAL_SUFFIXES, NAME_PARTICLES, OPENERS, ORG_AFTER, ORG_BEFORE, ORG_HEADS, ORG_NOUNS, ORG_SUFFIXES, PERSON_VERBS, PLACE_ACRONYMS,
  PLACE_BEFORE, PLACE_HEADS, PLACE_SUFFIXES, TITLES, WORLD_PLACES,
} from "./name-cues.ts";

export type NameType = "PERSON" | "ORGANIZATION" | "LOCATION";

export interface NameToken {
  value: string;
  /** Offset of the token in the original text. */
  start: number;
  /** wink's universal POS tag. */
  pos: string;
  /** compromise's lexicon tags for the word, if any. */
  tags: readonly string[];
  /** The lexicon knows the word as an ordinary word (adjective, verb, …), not a name. */
  common?: boolean;
}

export interface Name {
  type: NameType;
  start: number;
  end: number;
}

interface Chunk {
  first: number;
  last: number;
  /** A title came first ("Dr.", "President"): the rest is a person. */
  titled: boolean;
}

// "Munich-based", "Paris-born": the lower-case half is not part of the name.
const HYPHEN_SUFFIXES = new Set(["based", "born", "led", "owned", "backed", "run", "made", "funded", "listed", "style", "era", "bound", "wide", "controlled", "linked", "headquartered"]);
const ROLES_BEFORE_OF = new Set(["ceo", "executive", "chairman", "chairwoman", "president", "founder", "co-founder", "head", "director", "boss", "shares", "owner", "chief", "cfo", "cto", "spokesperson", "spokesman", "spokeswoman", "member", "members", "employees", "staff"]);

const EVENT_SUFFIXES = new Set(["games", "olympics", "cup", "festival", "awards", "prize", "summit", "week", "day", "championship", "championships", "open", "expo", "conference", "war", "act"]);

const DETERMINERS = new Set(["the", "a", "an", "its", "his", "her", "their", "our", "my", "your"]);

const lower = (t: NameToken | undefined): string => (t ? t.value.toLowerCase() : "");
const isInitials = (v: string): boolean => /^(\p{Lu}\.)+$/u.test(v);
const isAcronym = (v: string): boolean => /^\p{Lu}[\p{Lu}\d&]{1,5}$/u.test(v);
const adjacent = (text: string, a: NameToken, b: NameToken): boolean => a.start + a.value.length === b.start;
const gapOf = (text: string, a: NameToken, b: NameToken): string => text.slice(a.start + a.value.length, b.start);

function isNameToken(t: NameToken | undefined, sentenceFirst: boolean): boolean {
  if (!t || !/^\p{Lu}/u.test(t.value) || t.value === "I") return false;
  const l = t.value.toLowerCase();
  if (CALENDAR.has(l.replace(/\.$/, ""))) return false;
  // At a sentence's start every word is capitalised: only a tagged proper noun counts.
  if (sentenceFirst) return !OPENERS.has(l) && !t.common && (t.pos === "PROPN" || t.tags.includes("ProperNoun") || isAcronym(t.value));
  return true;
}

/** Maximal runs of name tokens in one sentence (tokens `first`..`last`). */
function chunksOf(text: string, tokens: readonly NameToken[], first: number, last: number): Chunk[] {
  const chunks: Chunk[] = [];
  let i = first;
  while (i <= last) {
    if (!isNameToken(tokens[i], i === first)) {
      i += 1;
      continue;
    }
    const start = i;
    let end = i;
    for (;;) {
      const a = tokens[end]!;
      const next = tokens[end + 1];
      const after = tokens[end + 2];
      if (end + 1 > last || !next) break;
      const gap = gapOf(text, a, next);
      if (/\n/.test(gap)) break;
      if ((isNameToken(next, false) || LOWER_LEGAL_SUFFIXES.has(next.value)) && /^\s*$/.test(gap)) {
        end += 1;
      } else if (/^['’]s$/.test(next.value) && isNameToken(after, false) && end + 2 <= last && (ORG_SUFFIXES.has(lower(after)) || PLACE_SUFFIXES.has(lower(after)))) {
        // "St Mary's Hospital": a possessive inside an institution's name.
        end += 2;
      } else if (next.value === "-" && adjacent(text, a, next) && after && adjacent(text, next, after) && end + 2 <= last && !HYPHEN_SUFFIXES.has(lower(after)) && /^\p{L}/u.test(after.value)) {
        end += 2;
      } else if (NAME_PARTICLES.has(lower(next)) && /^\p{Ll}|&/u.test(next.value)) {
        // "van den Brink": one or more particles, then the name goes on.
        let k = end + 1;
        while (k <= last && NAME_PARTICLES.has(lower(tokens[k])) && /^\p{Ll}|&/u.test(tokens[k]!.value)) k += 1;
        if (k > last || !isNameToken(tokens[k], false)) break;
        end = k;
      } else if (lower(next) === "of" && (ORG_HEADS.has(lower(a)) || PLACE_HEADS.has(lower(a))) && end + 2 <= last) {
        // "Democratic Republic of the Congo": "the" may sit between.
        const skip = lower(after) === "the" ? 1 : 0;
        if (!isNameToken(tokens[end + 2 + skip], false) || end + 2 + skip > last) break;
        end += 2 + skip;
      } else break;
    }
    chunks.push(trimChunk(tokens, start, end));
    i = end + 1;
  }
  return chunks.filter((c) => c.first <= c.last);
}

/** Drops a leading "The", opener or title (remembering the title). */
function trimChunk(tokens: readonly NameToken[], first: number, last: number): Chunk {
  let f = first;
  let titled = false;
  const orgLike = ORG_SUFFIXES.has(lower(tokens[last]));
  while (f < last) {
    const l = lower(tokens[f]);
    // "Japanese Prime Minister Fumio Kishida": the nationality qualifies the title.
    const demonymBeforeTitle = tokens[f]!.tags.includes("Demonym") && TITLES.has(lower(tokens[f + 1]));
    if (l === "the" || OPENERS.has(l) || demonymBeforeTitle) f += 1;
    else if (TITLES.has(l) && !orgLike && !ORG_HEADS.has(l)) {
      titled = true;
      f += 1;
    } else break;
  }
  // A lone "The" or a title with nothing after it names nothing.
  if (f === last && (lower(tokens[f]) === "the" || (TITLES.has(lower(tokens[f])) && !isAcronym(tokens[f]!.value)))) return { first: f, last: f - 1, titled };
  return { first: f, last, titled };
}

interface Scored {
  chunk: Chunk;
  text: string;
  type: NameType | null;
  /** How sure the winning evidence is; the consistency pass trusts the surest reading. */
  strength: number;
}

/** The noun of an appositive after a name (", the Danish drugmaker," → "drugmaker"), or null. */
function appositiveNoun(tokens: readonly NameToken[], i: number): string | null {
  if (tokens[i]?.value !== "," || !["the", "a", "an"].includes(lower(tokens[i + 1]))) return null;
  for (let k = i + 2; k < Math.min(tokens.length, i + 6); k += 1) {
    const w = lower(tokens[k]);
    if (w === "," || w === ".") return lower(tokens[k - 1]);
  }
  return null;
}

/** Tags a lexicon holds for a whole phrase ("new york", "bank of america"). */
export type PhraseTags = (phrase: string) => readonly string[];

function scoreChunk(text: string, tokens: readonly NameToken[], c: Chunk, sentenceFirst: number, phraseTags: PhraseTags): Scored {
  const words = tokens.slice(c.first, c.last + 1);
  const name = text.slice(words[0]!.start, words.at(-1)!.start + words.at(-1)!.value.length);
  const l = name.toLowerCase();
  // A place word inside a longer name ("Carlos Mendoza", "Inter Miami") says less than
  // a whole name that is a place.
  const whole = new Set(words.length === 1 ? words[0]!.tags : phraseTags(l));
  const tags = new Set(words.flatMap((w) => w.tags));
  const placeTagged = (set: ReadonlySet<string>) => set.has("Place") || set.has("City") || set.has("Country") || set.has("Region");
  // "to the Algarve": the article does not change what the preposition says.
  const back = lower(tokens[c.first - 1]) === "the" ? 1 : 0;
  const prev = lower(tokens[c.first - 1 - back]);
  const prev2 = lower(tokens[c.first - 2 - back]);
  let n = c.last + 1;
  if (lower(tokens[n]) === "'s" || lower(tokens[n]) === "’s") n += 1;
  const next = lower(tokens[n]);
  const single = words.length === 1;
  let person = 0;
  let org = 0;
  let place = 0;

  if (c.titled) person += 4;
  if (TITLES.has(prev) && prev !== "chief") person += 3;
  // "the concierge, Jürgen,": a role and a comma before the name.
  if (tokens[c.first - 1]?.value === "," && TITLES.has(lower(tokens[c.first - 2]))) person += 2;
  if (words.some((w) => NAME_PARTICLES.has(w.value))) person += 1;
  if (words[0]!.tags.includes("FirstName")) person += 2;
  if (tags.has("Person") || tags.has("LastName")) person += 1;
  if (!single && words.some((w) => isInitials(w.value))) person += 2;
  if (!single && words.length <= 5 && !tags.has("Place") && !tags.has("Organization")) person += 1;
  if (PERSON_VERBS.has(next) || prev === "said") person += 1;
  if (tokens[c.last + 1]?.value === "," && ["a", "an"].includes(lower(tokens[c.last + 2]))) person += 1;

  const lastWord = lower(words.at(-1));
  if (ORG_SUFFIXES.has(lastWord) && !(single && !isAcronym(words[0]!.value))) org += 4;
  if (words.length > 2 && ORG_HEADS.has(lower(words[0])) && words.some((w) => w.value === "of")) org += 4;
  if (single && isAcronym(words[0]!.value)) {
    if (PLACE_ACRONYMS.has(l)) place += 4;
    else org += 3;
  }
  if (whole.has("Organization")) org += 3;
  else if (tags.has("Organization")) org += 2;
  if (ORG_BEFORE.has(prev)) org += 1;
  if (prev === "of" && ROLES_BEFORE_OF.has(prev2)) org += 2;
  if (prev === "to" && prev2 === "according") org += 2;
  if (appositiveNoun(tokens, c.last + 1) !== null && ORG_NOUNS.has(appositiveNoun(tokens, c.last + 1)!)) org += 3;
  // "the Verdi union", but not "Macron's government".
  if (ORG_SUFFIXES.has(lower(tokens[c.last + 1])) && /^\p{Ll}/u.test(tokens[c.last + 1]?.value ?? "")) org += 2;
  if (single && ORG_AFTER.has(next) && !tags.has("Person") && !tags.has("Place")) org += 1;

  if (WORLD_PLACES.has(l)) place += 4;
  if (words.length > 2 && PLACE_HEADS.has(lower(words[0])) && words.some((w) => w.value === "of")) place += 4;
  if (placeTagged(whole)) place += 3;
  else if (placeTagged(tags)) place += 1;
  if (!single && PLACE_SUFFIXES.has(lastWord)) place += 3;
  if (PLACE_BEFORE.has(prev)) place += 1;
  if (prev === "in" && prev2 === "based") place += 2;
  if (tokens[c.last + 1]?.value === "-" && HYPHEN_SUFFIXES.has(lower(tokens[c.last + 2]))) place += 3;

  // Events ("Olympic Games") and lone adjectives or nationalities ("Scottish") are none of the three.
  const lone = single && (OPENERS.has(l) || (TITLES.has(l) && !isAcronym(words[0]!.value)));
  if (lone || EVENT_SUFFIXES.has(lastWord) || (single && (words[0]!.pos === "ADJ" || words[0]!.tags.includes("Demonym")))) return { chunk: c, text: name, type: null, strength: 0 };
  const best = Math.max(person, org, place);
  if (best === 0) {
    // No evidence: several capitalised words are most often a person's name, one word
    // that is not at a sentence's start most often an organisation or brand.
    if (!single) return { chunk: c, text: name, type: "PERSON", strength: 0 };
    // "the Danish drugmaker": a lone nationality-like word between an article and a noun qualifies the noun.
    const modifier = DETERMINERS.has(lower(tokens[c.first - 1])) && tokens[c.last + 1]?.pos === "NOUN" && /(?:ish|ese|ian|ean|an|i|ic)$/.test(l);
    if (modifier || (c.first === sentenceFirst && words[0]!.pos !== "PROPN")) return { chunk: c, text: name, type: null, strength: 0 };
    return { chunk: c, text: name, type: "ORGANIZATION", strength: 0 };
  }
  // Ties: a place's evidence is the surest (gazetteer), then an organisation's suffix.
  const type: NameType = place === best ? "LOCATION" : org === best ? "ORGANIZATION" : "PERSON";
  return { chunk: c, text: name, type, strength: best };
}

/**
 * Makes the text agree with itself: surnames of people found, one type per name, and a
 * weakly evidenced name listed with a surely typed one ("Glasgow and Aberdeen") shares
 * its type.
 */
function reconcile(text: string, tokens: readonly NameToken[], scored: Scored[]): Scored[] {
  for (let i = 1; i < scored.length; i += 1) {
    const [a, b] = [scored[i - 1]!, scored[i]!];
    const between = text.slice(tokens[a.chunk.last]!.start + tokens[a.chunk.last]!.value.length, tokens[b.chunk.first]!.start);
    if (!/^\s*(,|and|or|&|,\s*and)\s*$/.test(between) || !a.type || !b.type || a.type === b.type) continue;
    if (a.strength >= 3 && b.strength <= 1) scored[i] = { ...b, type: a.type };
    else if (b.strength >= 3 && a.strength <= 1) scored[i - 1] = { ...a, type: b.type };
  }
  const surest = new Map<string, Scored>();
  const surnames = new Set<string>();
  for (const s of scored) {
    if (!s.type) continue;
    const kept = surest.get(s.text);
    if (!kept || s.strength > kept.strength) surest.set(s.text, s);
    if (s.type === "PERSON" && s.strength > 0 && s.chunk.last > s.chunk.first) {
      const parts = s.text.split(/\s+/);
      surnames.add(parts.at(-1)!);
    }
  }
  return scored.map((s) => {
    if (surnames.has(s.text) && s.type !== "PERSON" && s.strength < 4) return { ...s, type: "PERSON" };
    const sure = surest.get(s.text);
    if (sure && sure.type && sure.strength > s.strength) return { ...s, type: sure.type };
    return s;
  });
}

/** People, organisations and places in a text read as tokens with sentence ranges. */
export function findNames(
  text: string,
  tokens: readonly NameToken[],
  sentences: ReadonlyArray<{ firstToken: number; lastToken: number }>,
  phraseTags: PhraseTags = () => [],
): Name[] {
  const scored: Scored[] = [];
  for (const s of sentences) {
    for (const c of chunksOf(text, tokens, s.firstToken, s.lastToken)) scored.push(scoreChunk(text, tokens, c, s.firstToken, phraseTags));
  }
  const out: Name[] = [];
  for (const s of reconcile(text, tokens, scored)) {
    if (!s.type) continue;
    const a = tokens[s.chunk.first]!;
    const b = tokens[s.chunk.last]!;
    out.push({ type: s.type, start: a.start, end: b.start + b.value.length });
  }
  return out;
}
