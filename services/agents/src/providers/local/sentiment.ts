// Offline sentiment: wink-nlp reads the text (sentences, tokens, lemmas, POS tags) and
// the clause-level scorer of sentiment-score.ts judges it.
import type { TokenItsFunction } from "wink-nlp";
import { readWholeText } from "./document.ts";
import { getWink } from "./nlp.ts";
import { judge, scoreSentence, type Sentiment, type Token } from "./sentiment-score.ts";

export type { Sentiment, SentimentLabel } from "./sentiment-score.ts";

export function analyzeSentiment(text: string): Sentiment {
  const { its } = getWink();
  const { doc, values, types, pos, sentences } = readWholeText(text);
  if (sentences.length === 0) return { label: "neutral", score: 0, confidence: 0 };
  // wink's typings declare `its.lemma` with a signature `out` does not accept, though
  // `out` calls it with the model's addons at run time (as for `its.stem`).
  const lemmas = doc.tokens().out(its.lemma as TokenItsFunction<string>) as string[];
  const tokens: Token[] = values.map((value, i) => ({ value, lemma: lemmas[i] ?? "", type: types[i] ?? "", pos: pos[i] ?? "" }));
  return judge(sentences.flatMap((s) => scoreSentence(tokens, s.firstToken, s.lastToken)));
}
