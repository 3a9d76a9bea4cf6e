// Maps text produced by an NLP package back to offsets in the caller's original
// string. Packages normalise and re-join tokens, so their own offsets and strings are
// only hints: every span returned here is verified against the original text.

export interface Span {
  start: number;
  end: number;
}

// Not using RegExp.escape: the tsconfig's lib (es2024) does not declare it yet.
function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

function nearest(spans: Span[], hint: number): Span | null {
  let best: Span | null = null;
  for (const span of spans) {
    if (!best || Math.abs(span.start - hint) < Math.abs(best.start - hint)) best = span;
  }
  return best;
}

/**
 * Finds `candidate` in `text`, preferring the occurrence nearest `hint` (a package's
 * own, possibly wrong, offset). Falls back to matching the candidate's words with any
 * whitespace and either apostrophe between them, since packages collapse both.
 * Returns null when the span cannot be found, so callers drop what they cannot place.
 */
export function locate(text: string, candidate: string, hint = 0): Span | null {
  const needle = candidate.trim();
  if (needle === "") return null;
  if (text.startsWith(needle, hint)) return { start: hint, end: hint + needle.length };

  const exact: Span[] = [];
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + 1)) {
    exact.push({ start: i, end: i + needle.length });
  }
  if (exact.length > 0) return nearest(exact, hint);

  const pattern = needle
    .split(/\s+/)
    .map((word) => escapeRegExp(word).replace(/['’]/g, "['’]"))
    .join("\\s+");
  const loose: Span[] = [];
  for (const m of text.matchAll(new RegExp(pattern, "g"))) {
    loose.push({ start: m.index, end: m.index + m[0].length });
  }
  return nearest(loose, hint);
}

/**
 * Start offsets of wink-nlp tokens, rebuilt from each token's preceding whitespace and
 * value. wink keeps both verbatim, so these are exact hints for `locate`.
 */
export function tokenStarts(spaces: string[], values: string[]): number[] {
  const starts: number[] = new Array<number>(values.length);
  let pos = 0;
  for (let i = 0; i < values.length; i += 1) {
    pos += (spaces[i] ?? "").length;
    starts[i] = pos;
    pos += (values[i] ?? "").length;
  }
  return starts;
}
