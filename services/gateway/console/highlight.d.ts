// Types of highlight.js, for the unit tests (the browser reads the .js as it is).
export type Entity = { text: string; type: string; start: number; end: number };
export type Segment = { text: string; entity?: Entity };
export function entitySpans(text: string, entities: readonly Entity[]): { segments: Segment[]; unplaced: number };
