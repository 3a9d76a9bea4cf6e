// Text Postgres cannot store (see unstorableTextIn in contracts), in an event the projector
// is handed: found without asking Postgres, and whatever the rows already hold, so every
// replica and a rebuild refuse the same events. Pure.
import { unstorableTextIn, type ChorusEvent } from "@chorus/contracts";

const BACKSLASH = 0x5c;
const LOWER_U = 0x75;

/** The value of an ASCII hex digit, or -1. */
function hexDigit(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/**
 * Whether a message's raw JSON may carry text Postgres cannot store. In valid JSON a NUL
 * or a lone surrogate can only be a `\u0000` or `\ud800`–`\udfff` escape (a raw NUL is
 * not JSON, a raw surrogate is not UTF-8), so a scan of the bytes for those escapes tells
 * the few events worth walking from the many that are not. A false alarm (an escaped
 * valid pair) only costs the walk.
 */
export function mayCarryUnstorableText(json: Uint8Array): boolean {
  for (let i = json.indexOf(BACKSLASH); i !== -1 && i + 5 < json.length; i = json.indexOf(BACKSLASH, i + 1)) {
    if (json[i + 1] === BACKSLASH) {
      i += 1; // an escaped backslash: the next one starts nothing
      continue;
    }
    if (json[i + 1] !== LOWER_U) continue;
    const code = (hexDigit(json[i + 2]) << 12) | (hexDigit(json[i + 3]) << 8) | (hexDigit(json[i + 4]) << 4) | hexDigit(json[i + 5]);
    if (code === 0 || (code >= 0xd800 && code <= 0xdfff)) return true;
  }
  return false;
}

function problemOf(text: string): string | null {
  const found = unstorableTextIn(text);
  if (!found) return null;
  return found.kind === "nul" ? "contains U+0000" : "contains an unpaired UTF-16 surrogate";
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
