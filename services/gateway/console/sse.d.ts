// Types of sse.js, for the unit tests (the browser reads the .js as it is).
export type SseMessage = { id: string | undefined; event: string; data: string };
export function sseParser(): { push(chunk: string): SseMessage[] };
