// Lazily loaded NLP engines shared by the offline provider: wink-nlp (sentences,
// lemmas, POS tags, DATE/MONEY) and compromise (its lexicon of names and places).
// Loading costs ~0.1-0.5 s and ~60 MB, so nothing is loaded until first use.
import { createRequire } from "node:module";
import type winkNLP from "wink-nlp";
import type { ItsHelpers, WinkMethods } from "wink-nlp";
import type wnModel from "wink-eng-lite-web-model";
import type compromise from "compromise";

export type Compromise = typeof compromise;

export interface Wink {
  nlp: WinkMethods;
  its: ItsHelpers;
}

// createRequire (not a static import) keeps the load lazy while staying synchronous,
// so the provider's functions need not be async. Both packages ship CommonJS builds.
const require = createRequire(import.meta.url);

let wink: Wink | undefined;
let cmp: Compromise | undefined;

/** The wink-nlp instance with the English lite model, created once. */
export function getWink(): Wink {
  if (!wink) {
    const create = require("wink-nlp") as typeof winkNLP;
    const model = require("wink-eng-lite-web-model") as typeof wnModel;
    const instance = create(model);
    wink = { nlp: instance, its: instance.its };
  }
  return wink;
}

/** The compromise parser, required once. */
export function getCompromise(): Compromise {
  cmp ??= require("compromise") as Compromise;
  return cmp;
}
