// The labelled corpus of `npm run eval`, split into a development set (eval/corpus/dev:
// tune on it) and a held-out test set (eval/corpus/test: report it, never tune on it).
// Entity labels are written as surface strings in order of appearance; their exact
// offsets are computed here, so a hand-typed offset can never be off by one.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { ENTITY_TYPES, SENTIMENT_LABELS, type EntityType } from "@chorus/contracts";

export const SPLITS = ["dev", "test"] as const;
export type Split = (typeof SPLITS)[number];

const Genre = z.enum(["news", "business", "review", "support", "social"]);

const SentimentItem = z.object({
  text: z.string().min(1),
  label: z.enum(SENTIMENT_LABELS),
  /** What makes the sentence hard: negation, contrast, intensifier, implicit, neutral-emotive, or plain. */
  slice: z.enum(["plain", "negation", "contrast", "intensifier", "implicit", "neutral-emotive"]),
  genre: Genre.optional(),
});

const EntityParagraph = z.object({
  text: z.string().min(1),
  genre: Genre,
  entities: z.array(z.tuple([z.string().min(1), z.enum(ENTITY_TYPES)])),
});

const Article = z.object({ text: z.string().min(1), genre: Genre.optional(), key_points: z.array(z.string()).min(1) });

export type SentimentItem = z.infer<typeof SentimentItem>;
export type Article = z.infer<typeof Article>;
export interface LabelledSpan {
  text: string;
  type: EntityType;
  start: number;
  end: number;
}
export interface EntityItem {
  text: string;
  genre: string;
  entities: LabelledSpan[];
}

const isWordChar = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}]/u.test(c);

/**
 * Exact spans of `labels` (surface string and type, in order of appearance) in `text`:
 * each is the first whole-word occurrence after the previous label's start. Throws when a
 * label cannot be found, so a typo in the corpus fails loudly instead of scoring as a miss.
 */
export function placeEntities(text: string, labels: ReadonlyArray<readonly [string, EntityType]>): LabelledSpan[] {
  const spans: LabelledSpan[] = [];
  let from = 0;
  for (const [surface, type] of labels) {
    let at = text.indexOf(surface, from);
    while (at !== -1 && (isWordChar(text[at - 1]) || isWordChar(text[at + surface.length]))) at = text.indexOf(surface, at + 1);
    if (at === -1) throw new Error(`label "${surface}" not found after offset ${from} in: ${text}`);
    spans.push({ text: surface, type, start: at, end: at + surface.length });
    from = at + 1;
  }
  return spans;
}

function read(split: Split, name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./corpus/${split}/${name}`, import.meta.url), "utf8"));
}

export interface CorpusSplit {
  sentiment: SentimentItem[];
  entities: EntityItem[];
  articles: Article[];
}

export function loadSplit(split: Split): CorpusSplit {
  return {
    sentiment: z.array(SentimentItem).parse(read(split, "sentiment.json")),
    entities: z
      .array(EntityParagraph)
      .parse(read(split, "entities.json"))
      .map((p) => ({ text: p.text, genre: p.genre, entities: placeEntities(p.text, p.entities) })),
    articles: z.array(Article).parse(read(split, "articles.json")),
  };
}
