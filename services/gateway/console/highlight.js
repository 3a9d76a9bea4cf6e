// The submitted text cut into pieces around the entities an extractor found, so each
// entity can be shown highlighted with its type. Pure. Offsets are UTF-16 indices into the
// text (the API's contract: text.slice(start, end) === entity.text); an entity whose
// offsets do not say so, or that overlaps one already placed, is left out and counted.

/** [{ text, entity? }] covering the whole text in order, and how many entities could not be placed. */
export function entitySpans(text, entities) {
  const fits = (e) => Number.isInteger(e.start) && Number.isInteger(e.end) && e.start >= 0 && e.end > e.start && e.end <= text.length && text.slice(e.start, e.end) === e.text;
  const sorted = [...entities].filter(fits).sort((a, b) => a.start - b.start || b.end - a.end);
  const segments = [];
  let at = 0;
  let placed = 0;
  for (const entity of sorted) {
    if (entity.start < at) continue;
    if (entity.start > at) segments.push({ text: text.slice(at, entity.start) });
    segments.push({ text: entity.text, entity });
    at = entity.end;
    placed += 1;
  }
  if (at < text.length) segments.push({ text: text.slice(at) });
  return { segments, unplaced: entities.length - placed };
}
