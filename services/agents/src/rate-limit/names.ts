// Where the shared rate limit is kept: one KV bucket per subject prefix, one key per
// provider endpoint, so every replica calling the same endpoint shares one budget.
import { createHash } from "node:crypto";
import type { Topology } from "@chorus/contracts";

export const rateLimitBucket = (t: Topology) => `${t.prefix}_ratelimit`;

export function rateLimitKey(baseURL: string | undefined): string {
  const endpoint = baseURL ?? "https://api.openai.com/v1";
  return `openai.${createHash("sha256").update(endpoint).digest("hex").slice(0, 16)}`;
}
