// Clause-level sentiment over tokens, as a pure function: each word's valence (lexicon,
// then its lemma; multi-word cues first) is scaled by the intensifiers or downtoners
// before it, reversed inside a negator's scope, damped when it only names a topic
// ("a film about war") or sits inside a quoted title or a proper name, and summed per
// clause. Contrast words weight the clauses: after "but" the writer makes the point,
// an "although" clause is conceded. The text is mixed only when a clause on each side
// is strong on its own.
import {
  ADVERSATIVE, CONCESSIVE, COPULAS, COST_NOUNS, DOWNTONERS, FALL_WORDS, FRAMING, FRAMING_PAIRS, HEDGES, INTENSIFIERS, NEGATORS, PHRASES, RISE_WORDS, SUBJECT_HOLDERS, TOPIC_NOUNS,
  symbolValence, wordValence,
} from "./sentiment-lexicon.ts";

export interface Token {
  /** As written. */
  value: string;
  /** wink's lemma, lower case. */
  lemma: string;
  /** wink's token type: word, punctuation, emoji, emoticon, number, … */
  type: string;
  /** Universal POS tag (NOUN, VERB, PROPN, …). */
  pos: string;
}

export interface ClauseScore {
  /** Sum of the clause's valences, on the lexicon's scale. */
  sum: number;
  /** How much the clause counts towards the text: lower when conceded. */
  weight: number;
}

export type SentimentLabel = "positive" | "negative" | "neutral" | "mixed";
export interface Sentiment {
  label: SentimentLabel;
  /** In [-1, 1]. */
  score: number;
  /** In [0, 1]. */
  confidence: number;
}

// Squashes a valence sum into (-1, 1): one strong word (3) reads as about 0.6.
const ALPHA = 15;
// |score| below this is neutral: a lone mild word (1) after a hedge stays neutral.
const NEUTRAL_BAND = 0.15;
// A clause this far from 0 is strong on its own; one strong clause per side makes mixed.
const STRONG = 0.45;
// …and the weaker side must carry at least this share of the stronger side's weight.
const MIXED_BALANCE = 0.35;
// Words after a negator that it still reverses.
const NEGATION_SCOPE = 4;
// A negated positive becomes a clear negative; a negated negative only a mild positive
// ("not bad" is faint praise).
const NEGATED_POSITIVE = -0.7;
const NEGATED_NEGATIVE = -0.5;
const CONCEDED = 0.4;
const TOPIC_DAMPING = 0.3;
const FRAMED_DAMPING = 0.2;
const QUESTION_DAMPING = 0.15;
const HEDGE_DAMPING = 0.4;
const EXCLAIMED = 1.2;

const MAX_PHRASE = Math.max(...Object.keys(PHRASES).map((p) => p.split(" ").length));
const QUOTES = new Set(['"', "“", "”", "«", "»"]);
const CLAUSE_BREAKS = new Set([",", ";", ":", "—", "–", "(", ")"]);
// "nothing about this was good": the quantifier, not a topic, comes before "about".
const QUANTIFIERS = new Set(["nothing", "everything", "something", "anything", "all"]);
// "I love it", "we fear the worst": after a subject a topic word is a verb that judges.
const SUBJECTS = new Set(["i", "we", "you", "they", "he", "she", "to", "really", "just", "absolutely", "totally"]);
const LIKE_SUBJECTS = new Set(["i", "we", "you", "they", "really", "also", "would", "'d", "do", "not", "still", "just"]);

export const squash = (x: number): number => x / Math.sqrt(x * x + ALPHA);
const norm = (t: Token | undefined): string => {
  if (!t) return "";
  const v = t.value.toLowerCase().replace(/’/g, "'");
  return v === "n't" ? "not" : v === "ca" ? "can" : v === "wo" ? "will" : v;
};

function isProperNameWord(t: Token, sentenceFirst: boolean): boolean {
  const v = t.value;
  if (sentenceFirst || v === "I" || !/^\p{Lu}/u.test(v)) return false;
  // All capitals is emphasis ("GREAT"), not a name.
  return !(v.length > 1 && v === v.toUpperCase());
}

function phraseAt(tokens: readonly Token[], i: number, last: number): { value: number; length: number } | null {
  for (let n = Math.min(MAX_PHRASE, last - i + 1); n >= 2; n -= 1) {
    let key = norm(tokens[i]);
    for (let k = 1; k < n; k += 1) key += ` ${norm(tokens[i + k])}`;
    if (Object.hasOwn(PHRASES, key)) return { value: PHRASES[key]!, length: n };
  }
  return null;
}

function valenceOf(t: Token, previous: string): number | undefined {
  if (t.type === "emoji" || t.type === "emoticon") return symbolValence(t.value);
  const word = norm(t);
  // "like" judges only as a verb with a subject ("I like it"), not in "looks like".
  if (word === "like" && !LIKE_SUBJECTS.has(previous)) return undefined;
  return wordValence(word) ?? (t.lemma !== word ? wordValence(t.lemma) : undefined);
}

/** "can't recommend it enough", "couldn't be happier": a negator that praises. */
function isEmphaticNegation(tokens: readonly Token[], i: number, last: number): boolean {
  const before = norm(tokens[i - 1]);
  if (!["can", "could", "cannot"].includes(before) && norm(tokens[i]) !== "cannot") return false;
  for (let k = i + 1; k <= Math.min(last, i + 6); k += 1) {
    const w = norm(tokens[k]);
    const after = norm(tokens[k - 1]);
    if (w === "enough" || ((after === "be" || after === "been") && (w === "more" || /er$/.test(w)))) return true;
  }
  return false;
}

/** A rise or fall follows within a few words ("crime in the city fell"). */
function movesNext(tokens: readonly Token[], i: number, last: number): boolean {
  for (let k = i + 1; k <= Math.min(last, i + 6); k += 1) {
    const w = norm(tokens[k]);
    if (RISE_WORDS.has(w) || FALL_WORDS.has(w) || RISE_WORDS.has(tokens[k]!.lemma)) return true;
  }
  return false;
}

/** Clause scores of one sentence, tokens `first`..`last` inclusive. */
export function scoreSentence(tokens: readonly Token[], first: number, last: number): ClauseScore[] {
  const clauses: ClauseScore[] = [];
  let sum = 0;
  let weight = 1;
  let concessive = false;
  let negation = 0;
  let scale = 1;
  // Framing ("a film about war, loss and grief") reaches across the commas of a list.
  let framed = false;
  // -1 once a cost has been named in the clause: its rising is bad news.
  let rising = 1;
  let quoted = false;
  let words = 0;
  const close = (): void => {
    if (words > 0) clauses.push({ sum, weight });
    sum = 0;
    words = 0;
    negation = 0;
    scale = 1;
    rising = 1;
  };

  let i = first;
  while (i <= last) {
    const t = tokens[i]!;
    const word = norm(t);
    const previous = norm(tokens[i - 1]);
    if (QUOTES.has(t.value)) {
      quoted = !quoted;
      i += 1;
      continue;
    }
    if (t.type === "punctuation" && CLAUSE_BREAKS.has(t.value)) {
      close();
      // A conceded clause ends at its comma; what follows is the main clause.
      if (concessive) weight = 1;
      concessive = false;
      i += 1;
      continue;
    }
    const atClauseStart = words === 0;
    if (ADVERSATIVE.has(word) && (word !== "yet" || atClauseStart)) {
      close();
      // Everything before the "but" in this sentence is conceded, unless "either" makes
      // the two halves a pair ("not the best, but not the worst either").
      let pairs = false;
      for (let k = i + 1; k <= last; k += 1) if (norm(tokens[k]) === "either") pairs = true;
      if (!pairs) for (const c of clauses) c.weight = Math.min(c.weight, CONCEDED);
      weight = 1;
      concessive = false;
      framed = false;
      i += 1;
      continue;
    }
    if (CONCESSIVE.has(word) && (atClauseStart || i === first)) {
      close();
      if (i === first) {
        // "Although X, Y": X is conceded, Y is the point.
        concessive = true;
        weight = CONCEDED;
      } else {
        // "X, though Y": the afterthought has the last word, as after "but".
        for (const c of clauses) c.weight = Math.min(c.weight, CONCEDED);
        weight = 1;
      }
      i += 1;
      continue;
    }
    if (t.type === "word" || t.type === "emoji" || t.type === "emoticon") words += 1;
    if (quoted) {
      i += 1;
      continue;
    }

    if (!isEmphaticNegation(tokens, i, last)) {
      const phrase = phraseAt(tokens, i, last);
      if (phrase) {
        sum += phrase.value * scale * (framed ? FRAMED_DAMPING : 1);
        scale = 1;
        negation = 0;
        words += phrase.length - 1;
        i += phrase.length;
        continue;
      }
    }

    const two = `${word} ${norm(tokens[i + 1])}`;
    if (Object.hasOwn(DOWNTONERS, two)) {
      scale *= DOWNTONERS[two]!;
      i += 2;
      continue;
    }
    if (Object.hasOwn(INTENSIFIERS, word) || Object.hasOwn(DOWNTONERS, word)) {
      scale *= INTENSIFIERS[word] ?? DOWNTONERS[word]!;
      i += 1;
      continue;
    }
    if (NEGATORS.has(word) && !(word === "not" && norm(tokens[i + 1]) === "only")) {
      if (isEmphaticNegation(tokens, i, last)) scale *= 1.5;
      else negation = NEGATION_SCOPE + 1;
      i += 1;
      continue;
    }
    if ((FRAMING.has(word) && !QUANTIFIERS.has(previous)) || FRAMING_PAIRS.has(`${word} ${norm(tokens[i + 1])}`)) framed = true;
    if (SUBJECT_HOLDERS.has(previous) && !COPULAS.has(word) && (t.pos === "ADP" || t.pos === "VERB")) framed = true;
    if (COST_NOUNS.has(word)) rising = -1;

    let v = isProperNameWord(t, i === first) ? undefined : valenceOf(t, previous);
    // In a clause about a cost, its rising or falling is the news ("prices keep going
    // up", "crime fell"), and the cost itself names a quantity, not a judgement.
    if (rising === -1 && v === undefined && RISE_WORDS.has(word)) v = 1;
    if (rising === -1 && v === undefined && FALL_WORDS.has(word)) v = -1;
    if (COST_NOUNS.has(word) && movesNext(tokens, i, last)) v = undefined;
    if (v !== undefined && v !== 0) {
      v *= scale;
      if (negation > 0) v *= v > 0 ? NEGATED_POSITIVE : NEGATED_NEGATIVE;
      if (TOPIC_NOUNS.has(word) && !SUBJECTS.has(previous)) v *= TOPIC_DAMPING;
      if (RISE_WORDS.has(word) || RISE_WORDS.has(t.lemma) || FALL_WORDS.has(word)) v *= rising;
      if (framed) v *= FRAMED_DAMPING;
      sum += v;
      scale = 1;
    } else if (t.type === "word" && scale !== 1 && !/^(and|or|a|an|the)$/.test(word)) {
      // A modifier reaches the next sentiment word, not one three words on.
      scale = 1 + (scale - 1) * 0.5;
    }
    if (negation > 0) negation -= 1;
    i += 1;
  }
  close();
  return sentenceMood(tokens, first, last, clauses);
}

/** Questions and hedged sentences assert less; an exclamation asserts more. */
function sentenceMood(tokens: readonly Token[], first: number, last: number, clauses: ClauseScore[]): ClauseScore[] {
  let end = last;
  while (end > first && tokens[end]!.type !== "punctuation" && tokens[end]!.type !== "word") end -= 1;
  const final = tokens[end]?.value ?? "";
  let factor = final === "?" ? QUESTION_DAMPING : final === "!" ? EXCLAIMED : 1;
  let text = "";
  for (let k = first; k <= last; k += 1) text += ` ${norm(tokens[k])}`;
  if (HEDGES.some((h) => text.includes(` ${h}`))) factor *= HEDGE_DAMPING;
  return factor === 1 ? clauses : clauses.map((c) => ({ sum: c.sum * factor, weight: c.weight }));
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const round3 = (x: number): number => Math.round(x * 1000) / 1000 + 0; // + 0 turns -0 into 0

/** The text's label, score and confidence from the scores of all its clauses. */
export function judge(clauses: readonly ClauseScore[]): Sentiment {
  let total = 0;
  let posMass = 0;
  let negMass = 0;
  let strongPos = false;
  let strongNeg = false;
  for (const c of clauses) {
    total += c.sum * c.weight;
    if (c.sum > 0) posMass += c.sum;
    if (c.sum < 0) negMass -= c.sum;
    const s = squash(c.sum);
    if (s >= STRONG) strongPos = true;
    if (s <= -STRONG) strongNeg = true;
  }
  const score = clamp(squash(total), -1, 1);
  const balance = Math.min(posMass, negMass) / Math.max(posMass, negMass, 1e-9);
  let label: SentimentLabel;
  let confidence: number;
  if (strongPos && strongNeg && balance >= MIXED_BALANCE) {
    label = "mixed";
    confidence = 0.5 + 0.4 * balance;
  } else if (Math.abs(score) < NEUTRAL_BAND) {
    label = "neutral";
    // No sentiment word at all is the surest neutral; a faint lean, less so.
    confidence = 0.9 - 0.4 * (Math.abs(score) / NEUTRAL_BAND) - (posMass > 0 && negMass > 0 ? 0.1 : 0);
  } else {
    label = score > 0 ? "positive" : "negative";
    const agreement = (score > 0 ? posMass : negMass) / Math.max(posMass + negMass, 1e-9);
    confidence = 0.45 + 0.5 * Math.min(1, Math.abs(score) / 0.7) * agreement;
  }
  return { label, score: round3(score), confidence: round3(clamp(confidence, 0, 1)) };
}
