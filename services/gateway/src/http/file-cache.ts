// Files the gateway serves as they are (the docs' and the console's browser assets):
// each read once, on first use, and kept in memory; they do not change while it runs.
import { readFile } from "node:fs/promises";

/** A reader of served names: the file's bytes, or undefined for a name `fileOf` does not know. */
export function cachedFiles(fileOf: (name: string) => string | undefined): (name: string) => Promise<Buffer> | undefined {
  const cache = new Map<string, Promise<Buffer>>();
  return (name) => {
    const file = fileOf(name);
    if (file === undefined) return undefined;
    let bytes = cache.get(name);
    if (!bytes) {
      bytes = readFile(file);
      cache.set(name, bytes);
    }
    return bytes;
  };
}
