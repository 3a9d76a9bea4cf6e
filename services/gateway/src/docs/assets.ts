// The files the documentation pages load, served from the npm packages that ship them
// (swagger-ui-dist, redoc): no CDN, so /docs and /redoc work on offline deployments.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { cachedFiles } from "../http/file-cache.ts";

const require = createRequire(import.meta.url);
const swaggerDir = dirname(require.resolve("swagger-ui-dist/package.json"));
const redocBundle = require.resolve("redoc/bundles/redoc.standalone.js");

export type Asset = { file: string; type: string };

/** Served name → file: a fixed list, so no path from a request ever reaches the file system. */
export const ASSETS: Record<string, Asset> = {
  "swagger-ui.css": { file: join(swaggerDir, "swagger-ui.css"), type: "text/css; charset=utf-8" },
  "swagger-ui-bundle.js": { file: join(swaggerDir, "swagger-ui-bundle.js"), type: "text/javascript; charset=utf-8" },
  "swagger-ui-standalone-preset.js": { file: join(swaggerDir, "swagger-ui-standalone-preset.js"), type: "text/javascript; charset=utf-8" },
  "favicon-32x32.png": { file: join(swaggerDir, "favicon-32x32.png"), type: "image/png" },
  "redoc.standalone.js": { file: redocBundle, type: "text/javascript; charset=utf-8" },
};

/** The asset's bytes, read once. */
export const assetBytes = cachedFiles((name) => ASSETS[name]?.file);
