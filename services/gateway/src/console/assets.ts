// The console's browser files: the plain ES modules, stylesheet and page shell in
// services/gateway/console/, served as they are (no build step). The list is read once,
// at start-up, so a request's path never reaches the file system.
import { readdirSync } from "node:fs";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cachedFiles } from "../http/file-cache.ts";

/** services/gateway/console: beside src, since nothing in it runs on the server. */
export const CONSOLE_DIR = fileURLToPath(new URL("../../console/", import.meta.url));

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

export type ConsoleAsset = { file: string; type: string };

/** Served name → file, for every browser file (tests, type declarations and the shell excepted). */
export function consoleAssets(dir = CONSOLE_DIR): Map<string, ConsoleAsset> {
  const served = readdirSync(dir).filter((name) => /^[a-z][a-z0-9-]*\.(js|css|svg)$/.test(name));
  return new Map(served.map((name) => [name, { file: join(dir, name), type: TYPES[extname(name)]! }]));
}

/** Reads each file once and keeps its bytes. */
export function assetReader(assets: Map<string, ConsoleAsset>): (name: string) => Promise<Buffer> | undefined {
  return cachedFiles((name) => assets.get(name)?.file);
}

/** The page shell every console URL answers with; the browser modules draw the view the path names. */
export function shellPath(dir = CONSOLE_DIR): string {
  return join(dir, "index.html");
}
