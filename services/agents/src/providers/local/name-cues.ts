// What the offline entity extractor knows about names before it reads a text: the
// world's countries and capitals (countries-list), the words that end or start an
// organisation's name, the titles and roles that come before a person's, and the
// words around a name that say what it names. All lower case.
import { countries } from "countries-list";

function placesOfTheWorld(): Set<string> {
  const out = new Set<string>();
  for (const c of Object.values(countries)) {
    out.add(c.name.toLowerCase());
    if (c.capital) out.add(c.capital.toLowerCase());
  }
  // Common short forms the list spells out in full.
  for (const p of ["us", "usa", "uk", "uae", "drc", "england", "scotland", "wales", "northern ireland", "congo", "russia", "south korea", "north korea", "iran", "syria", "vietnam", "laos", "taiwan", "hong kong", "macau", "vatican", "czech republic", "the netherlands", "netherlands", "ivory coast"]) out.add(p);
  return out;
}

/** Countries, capitals and their common short forms. */
export const WORLD_PLACES = placesOfTheWorld();

/** Place names that are also acronyms, read as places rather than organisations. */
export const PLACE_ACRONYMS = new Set(["us", "usa", "uk", "uae", "drc", "ussr", "prc"]);

/** A name ending in one of these is an organisation ("Acme Robotics Inc.", "Tata Group"). */
export const ORG_SUFFIXES = new Set([
  "inc", "inc.", "corp", "corp.", "corporation", "co", "co.", "company", "ltd", "ltd.", "llc", "llp", "plc", "ag", "sa", "s.a.",
  "gmbh", "nv", "n.v.", "bv", "spa", "s.p.a.", "ab", "asa", "oy", "kk", "pte", "pty", "group", "holdings", "holding",
  "partners", "capital", "ventures", "technologies", "technology", "tech", "robotics", "systems", "solutions", "software",
  "labs", "laboratories", "pharmaceuticals", "pharma", "therapeutics", "biosciences", "motors", "airlines", "airways",
  "electronics", "industries", "enterprises", "energy", "foods", "brands", "media", "studios", "entertainment",
  "networks", "communications", "telecom", "insurance", "bank", "bancorp", "securities", "investments", "fund", "trust",
  "university", "college", "institute", "academy", "school", "hospital", "clinic", "museum", "foundation", "association",
  "society", "council", "commission", "committee", "agency", "authority", "ministry", "department", "bureau", "office",
  "organization", "organisation", "union", "federation", "alliance", "league", "party", "club", "fc", "cross",
  "nations", "crescent", "times", "post", "journal", "news", "press", "review", "service", "services", "police", "army", "navy",
  "court", "parliament", "senate", "congress", "government", "reserve", "exchange", "health", "logistics", "retail",
  "motor", "airline", "railways", "rail", "network", "consulting", "analytics", "cloud", "ai",
]);

/** A name starting with one of these and "of" is an organisation ("Bank of England"). */
export const ORG_HEADS = new Set([
  "bank", "university", "ministry", "department", "institute", "college", "school", "museum", "church", "court",
  "office", "board", "council", "house", "chamber", "federation", "union", "league", "society", "academy", "commission",
  "association", "organization", "organisation", "agency", "bureau", "government",
]);

/** A name starting with one of these and "of" is a place ("Republic of Korea", "Gulf of Mexico"). */
export const PLACE_HEADS = new Set([
  "republic", "kingdom", "state", "states", "city", "county", "province", "region", "gulf", "bay", "isle", "island",
  "islands", "lake", "sea", "cape", "mount", "port", "strait", "district", "commonwealth", "principality", "emirate",
]);

/** Last words that make a name a place ("Hyde Park", "Thames Valley"). */
export const PLACE_SUFFIXES = new Set([
  "street", "avenue", "road", "square", "park", "river", "valley", "mountains", "hills", "island", "islands", "coast",
  "bay", "lake", "county", "province", "state", "region", "city", "heights", "beach", "peninsula", "desert", "airport",
]);

/** Titles before a name: a person follows ("Dr. Jane Doe", "Prime Minister Fumio Kishida"). */
export const TITLES = new Set([
  "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "mx", "dr", "dr.", "prof", "prof.", "professor", "sir", "dame", "lord",
  "lady", "president", "chancellor", "minister", "senator", "sen.", "governor", "gov.", "mayor", "agent", "judge",
  "justice", "king", "queen", "prince", "princess", "pope", "rev", "rev.", "reverend", "father", "sister", "brother",
  "captain", "capt.", "general", "gen.", "colonel", "col.", "sergeant", "sgt.", "officer", "detective", "inspector",
  "coach", "ambassador", "secretary", "chairman", "chairwoman", "chair", "ceo", "cfo", "cto", "coo", "founder",
  "co-founder", "director", "commissioner", "sheikh", "emir", "rabbi", "imam", "bishop", "cardinal",
  "prime", "deputy", "vice", "chief", "executive", "leader", "spokesperson", "spokesman", "spokeswoman", "manager",
  "head", "boss", "striker", "midfielder", "defender", "goalkeeper", "star", "singer", "actor", "actress", "author",
  "writer", "analyst", "economist", "researcher", "scientist", "virologist", "teacher", "nurse", "doctor", "lawyer",
  "attorney", "editor", "reporter", "journalist", "artist", "player", "champion", "chef", "designer", "engineer",
  "concierge", "waiter", "waitress", "guide", "driver", "receptionist", "owner", "host", "neighbour", "neighbor",
  "friend", "colleague", "partner", "wife", "husband", "son", "daughter", "mother", "mum", "mom", "dad", "uncle",
  "aunt", "cousin", "grandson", "granddaughter", "fiancé", "fiancée", "girlfriend", "boyfriend", "successor",
  "predecessor", "rival", "opponent", "student", "pupil", "patient", "customer", "client", "tenant", "landlord",
]);

/** Legal suffixes written in lower case after a name ("Vodafone Group plc"). */
export const LOWER_LEGAL_SUFFIXES = new Set(["plc", "inc", "inc.", "ltd", "ltd.", "llc", "gmbh", "s.a.", "s.p.a.", "b.v.", "n.v.", "co.", "corp."]);

/** Words a person's name is often followed by ("Nadella said", "Okafor's team"). */
export const PERSON_VERBS = new Set([
  "said", "says", "told", "added", "explained", "wrote", "argued", "insisted", "recalled", "noted", "admitted",
  "thanked", "praised", "criticised", "criticized", "believes", "thinks", "felt", "smiled", "laughed", "married",
  "died", "was born", "resigned", "scored", "sang", "tweeted", "posted", "fled", "moved", "visited", "met",
]);

/** Words after which a lone name is a company ("shares of X", "works for X"). */
export const ORG_BEFORE = new Set(["join", "joins", "joined", "joining", "for", "at", "by", "rival", "rivals", "competitor", "firm", "company", "group", "brand", "retailer", "maker", "startup", "lender", "insurer", "carmaker", "bank", "airline", "club", "team"]);

/** Words after a lone name that make it a company ("Airbus won", "Shopify's shares"). */
export const ORG_AFTER = new Set([
  "inc", "shares", "stock", "reported", "announced", "agreed", "acquired", "bought", "sold", "launched", "unveiled",
  "hired", "fired", "cut", "cuts", "raised", "posted", "ordered", "fined", "appointed", "signed", "employs",
  "manufactures", "makes", "sells", "ships", "invested", "invests", "opened", "closed", "plans", "expects", "warned",
  "confirmed", "reports", "said", "will", "won", "has", "had", "is", "was", "would", "could", "also", "recalled",
  "filed", "sued", "settled", "paid", "gained", "lost", "rose", "fell", "jumped", "slumped",
]);

/** Nouns that, after "X, the (Danish) …", say X is an organisation. */
export const ORG_NOUNS = new Set([
  "company", "firm", "group", "drugmaker", "carmaker", "automaker", "maker", "bank", "lender", "insurer", "retailer",
  "airline", "startup", "start-up", "giant", "conglomerate", "brand", "chain", "manufacturer", "supplier", "operator",
  "broadcaster", "publisher", "club", "team", "union", "charity", "agency", "regulator", "party", "miner", "developer",
  "platform", "app", "network", "newspaper", "broker", "fund", "investor", "producer", "exporter", "utility", "carrier",
]);

/** Prepositions a place usually follows ("in Berlin", "based in Austin"). */
export const PLACE_BEFORE = new Set(["in", "near", "from", "to", "across", "outside", "around", "into", "throughout", "via", "towards", "toward", "inside", "within", "through"]);

/** Particles inside a name ("Lula da Silva", "Dolf van den Brink"). */
export const NAME_PARTICLES = new Set(["da", "de", "do", "dos", "das", "di", "del", "della", "van", "von", "der", "den", "du", "la", "le", "al", "el", "bin", "ibn", "ben", "y", "&"]);

/** Capitalised words at the start of a sentence that open it rather than name anything. */
export const OPENERS = new Set([
  "hi", "hello", "hey", "dear", "madam", "sirs", "congrats", "congratulations", "thanks", "thank", "please", "regards", "cheers", "yes",
  "no", "ok", "okay", "sorry", "welcome", "happy", "good", "great", "just", "finally", "today", "yesterday", "tomorrow",
  "meanwhile", "however", "also", "still", "then", "so", "but", "and", "or", "if", "when", "after", "before", "while",
  "although", "as", "at", "on", "in", "for", "from", "with", "by", "to", "of", "this", "that", "these", "those", "it", "its",
  "our", "my", "your", "their", "his", "her", "we", "they", "he", "she", "you", "i", "a", "an", "the", "some", "many",
  "most", "all", "several", "both", "each", "every", "about", "nearly", "only", "even", "here", "there", "what", "who",
]);

/** Month and weekday names: dates, not names. */
export const CALENDAR = new Set([
  "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
  "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "monday",
  "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
]);
