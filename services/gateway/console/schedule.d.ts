// Types of schedule.js, for the unit tests (the browser reads the .js as it is).
export function laterWhenVisible(run: () => void, ms: number): () => void;
