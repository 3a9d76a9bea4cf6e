// How long a submitted text may be, counted as both doors count it (the gateway's REST and
// gRPC, the agents' gRPC Analyze): in Unicode code points, as the earlier service did. Pure.

/** The shortest text worth analysing, and the least MAX_TEXT_LENGTH may be. */
export const MIN_TEXT_LENGTH = 10;
/** MAX_TEXT_LENGTH when unset, for the gateway and the agents alike. */
export const DEFAULT_MAX_TEXT_LENGTH = 10_000;

/** Length in Unicode code points: an emoji is one, not two UTF-16 units. */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
