// Text Postgres cannot store (see isStorableText in contracts), in an event the projector
// is handed: found without asking Postgres, and whatever the rows already hold, so every
// replica and a rebuild refuse the same events; and replaced, so a refused event still
// leaves its readable part in the read models. Pure.
import { isStorableText, withStorableText, type ChorusEvent } from "@chorus/contracts";

/** The event with every string in it made storable. */
export function storableEvent<E extends ChorusEvent>(event: E): E {
  return withStorableText(event);
}

function problemOf(text: string): string | null {
  if (isStorableText(text)) return null;
  return text.includes("\u0000") ? "contains U+0000" : "contains an unpaired UTF-16 surrogate";
}

function firstUnstorable(value: unknown, path: string): string | null {
  if (typeof value === "string") {
    const problem = problemOf(value);
    return problem && `${path} ${problem}`;
  }
  const entries = Array.isArray(value)
    ? value.map((v, i) => [`${path}[${i}]`, v] as const)
    : value !== null && typeof value === "object"
      ? Object.entries(value).map(([k, v]) => [`${path}.${k}`, v] as const)
      : [];
  for (const [at, v] of entries) {
    const found = firstUnstorable(v, at);
    if (found) return found;
  }
  return null;
}

/**
 * Where the event carries text Postgres cannot store, described ("event.data.output.summary
 * contains U+0000"), or null. A request's own text is left out: only its length is stored.
 */
export function unstorableText(event: ChorusEvent): string | null {
  if (event.type === "RequestAccepted") return firstUnstorable({ ...event, data: { ...event.data, text: "" } }, "event");
  return firstUnstorable(event, "event");
}
