// Money amounts found by pattern in the original text (exact offsets): a currency sign
// or code before a number, or a currency word after it, with the multiplier that
// belongs to the amount ("$2 billion", "€1.2bn", "80 million euros", "USD 300").
const SIGN = String.raw`(?:US\$|A\$|C\$|HK\$|NZ\$|R\$|[$€£¥₹₩₽₺]|(?:USD|EUR|GBP|JPY|CHF|CNY|INR|AUD|CAD)\s?)`;
const NUMBER = String.raw`\d(?:[\d,]*\d)?(?:\.\d+)?`;
const MULTIPLIER = String.raw`(?:\s?(?:thousand|million|billion|trillion|bn|mn|m|k)\b)`;
const WORDS = String.raw`(?:dollars?|euros?|pounds?(?: sterling)?|yen|yuan|renminbi|rupees?|francs?|kronor|krona|kroner|pesos?|won|rand|reais|real|lira|zloty|dirhams?|riyals?|cents?|pence)\b`;
const MONEY = new RegExp(
  String.raw`(?<![\p{L}\d])(?:${SIGN}${NUMBER}${MULTIPLIER}?|${NUMBER}(?:\s(?:thousand|million|billion|trillion))?\s${WORDS})`,
  "gu",
);

export interface MoneySpan {
  start: number;
  end: number;
}

export function findMoney(text: string): MoneySpan[] {
  const out: MoneySpan[] = [];
  for (const m of text.matchAll(MONEY)) out.push({ start: m.index, end: m.index + m[0].length });
  return out;
}
