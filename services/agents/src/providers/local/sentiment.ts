// Offline sentiment: wink-nlp's negation-aware per-sentence scores, split further at
// contrast words so that "great, but awful" in one sentence can still read as mixed.
import { readText, readWholeText } from "./document.ts";
import type { ReadText, SentenceInfo } from "./document.ts";

export type SentimentLabel = "positive" | "negative" | "neutral" | "mixed";

export interface Sentiment {
  label: SentimentLabel;
  /** In [-1, 1]. */
  score: number;
  /** In [0, 1]. */
  confidence: number;
}

// |score| below this is neutral; wink gives 0 to plain factual sentences.
const NEUTRAL_BAND = 0.1;
// A unit must score at least this far from 0 to count as clearly positive/negative.
const CLEAR = 0.3;
// Strength at which a one-sided text gets full confidence.
const FULL_STRENGTH = 0.5;
// "yet" counts only after a comma: "not yet done" would cut the negation off its verb.
const CONTRAST = new Set(["but", "however", "although", "though", "whereas", "nevertheless", "nonetheless", ";"]);
// Clauses a contrast word divides that lean opposite ways by at least this much make the
// text mixed even when neither side is strong: the author chose to contrast them.
const CONTRASTED = 0.1;

interface Unit {
  score: number;
  weight: number;
  /** The sentence's index when a contrast word divided it into clauses, else null. */
  contrastIn: number | null;
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const round3 = (x: number): number => Math.round(x * 1000) / 1000 + 0; // + 0 turns -0 into 0

function scoreOf(text: string): number {
  const { sentences } = readText(text);
  if (sentences.length === 0) return 0;
  return sentences.reduce((s, x) => s + x.sentiment, 0) / sentences.length;
}

/** The sentence, or its clauses when a contrast word divides it, as scored units. */
function unitsOf(read: ReadText, text: string, s: SentenceInfo, index: number): Unit[] {
  const { values, types, starts } = read;
  const clauses: Array<[number, number]> = [];
  let from = s.firstToken;
  let words = 0;
  for (let t = s.firstToken; t <= s.lastToken; t += 1) {
    const value = (values[t] ?? "").toLowerCase();
    if (words > 0 && (CONTRAST.has(value) || (value === "yet" && values[t - 1] === ","))) {
      clauses.push([from, t - 1]);
      from = t;
      words = 0;
    }
    if (types[t] === "word") words += 1;
  }
  clauses.push([from, s.lastToken]);

  const wordsIn = (a: number, b: number): number => {
    let n = 0;
    for (let t = a; t <= b; t += 1) if (types[t] === "word") n += 1;
    return n;
  };
  // Longer units say more, but not linearly more: one long neutral sentence should
  // not drown a short emphatic one.
  const weightOf = (a: number, b: number): number => Math.sqrt(Math.max(1, wordsIn(a, b)));

  if (clauses.length === 1) return [{ score: s.sentiment, weight: weightOf(s.firstToken, s.lastToken), contrastIn: null }];
  return clauses.map(([a, b]) => {
    const end = (starts[b] ?? 0) + (values[b] ?? "").length;
    return { score: scoreOf(text.slice(starts[a] ?? 0, end)), weight: weightOf(a, b), contrastIn: index };
  });
}

export function analyzeSentiment(text: string): Sentiment {
  const read = readWholeText(text);
  const units = read.sentences.flatMap((s, i) => unitsOf(read, text, s, i));
  const totalWeight = units.reduce((s, u) => s + u.weight, 0);
  if (totalWeight === 0) return { label: "neutral", score: 0, confidence: 0 };

  const score = clamp(units.reduce((s, u) => s + u.score * u.weight, 0) / totalWeight, -1, 1);
  let posMass = 0;
  let negMass = 0;
  let clearPos = false;
  let clearNeg = false;
  for (const u of units) {
    if (u.score > 0) posMass += u.score * u.weight;
    if (u.score < 0) negMass -= u.score * u.weight;
    if (u.score >= CLEAR) clearPos = true;
    if (u.score <= -CLEAR) clearNeg = true;
  }

  const contrasted = units.some(
    (u) => u.contrastIn !== null && u.score >= CONTRASTED && units.some((v) => v.contrastIn === u.contrastIn && v.score <= -CONTRASTED),
  );

  let label: SentimentLabel;
  let confidence: number;
  if ((clearPos && clearNeg) || contrasted) {
    label = "mixed";
    // Most sure when the two sides weigh the same.
    confidence = 0.5 + 0.5 * (Math.min(posMass, negMass) / Math.max(posMass, negMass));
  } else if (Math.abs(score) < NEUTRAL_BAND) {
    label = "neutral";
    confidence = 1 - 0.5 * (Math.abs(score) / NEUTRAL_BAND);
  } else {
    label = score > 0 ? "positive" : "negative";
    const agreement = (score > 0 ? posMass : negMass) / (posMass + negMass);
    confidence = 0.5 + 0.5 * Math.min(1, Math.abs(score) / FULL_STRENGTH) * agreement;
  }
  return { label, score: round3(score), confidence: round3(clamp(confidence, 0, 1)) };
}
