// How `npm start` shows the output of many processes in one terminal: each line
// prefixed with the process's padded label, coloured when the terminal allows.

/** ANSI colours given to labels in order; enough that neighbours differ. */
const PALETTE = [36, 35, 33, 32, 34, 96, 95, 93] as const;

export type Labeller = (line: string) => string;

/** Splits a stream's chunks into whole lines, keeping a trailing partial line for the next chunk. */
export function takeLines(pending: string, chunk: string): { lines: string[]; pending: string } {
  const parts = (pending + chunk).split(/\r?\n/);
  const rest = parts.pop() ?? "";
  return { lines: parts, pending: rest };
}

/** `gateway      | ` — the name padded to `width`, coloured by `colourIndex` or plain when null. */
export function label(name: string, width: number, colourIndex: number | null): string {
  const text = `${name.padEnd(width)} | `;
  if (colourIndex === null) return text;
  const colour = PALETTE[colourIndex % PALETTE.length];
  return `\x1b[${colour}m${text}\x1b[0m`;
}

export function labeller(name: string, width: number, colourIndex: number | null): Labeller {
  const prefix = label(name, width, colourIndex);
  return (line) => prefix + line;
}

/** Bold, or plain without colour: for the few lines a person should not miss. */
export function emphasis(text: string, colour: boolean): string {
  return colour ? `\x1b[1m${text}\x1b[0m` : text;
}

/** Colour only on a terminal, and never when NO_COLOR is set to anything (no-color.org). */
export function useColour(isTTY: boolean | undefined, noColor: string | undefined): boolean {
  return Boolean(isTTY) && (noColor === undefined || noColor === "");
}

/**
 * For a process that runs several services: each line under the label of the service that
 * wrote it (the `service` field of its JSON log line), else under the process's own.
 */
export function serviceLabeller(byService: Readonly<Record<string, Labeller>>, fallback: Labeller): Labeller {
  return (line) => {
    const service = /"service":"([a-z0-9-]+)"/.exec(line)?.[1];
    return ((service && byService[service]) || fallback)(line);
  };
}
