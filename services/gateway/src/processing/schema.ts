// The body of POST /api/v1/process, validated here and described for the OpenAPI
// document. Text length counts Unicode code points, as the earlier service did.
import { z } from "zod";
import { AGENT_IDS, AgentId, DEFAULT_MAX_TEXT_LENGTH, MIN_TEXT_LENGTH, OrchestrationMode, codePointLength, unstorableTextIn } from "@chorus/contracts";
import { webhookUrlSyntaxVerdict } from "@chorus/webhook-security";

const MIN_WEBHOOK_SECRET_LENGTH = 16;

/**
 * Why a string cannot be recorded and stored as it is, or undefined when it can. Postgres
 * refuses U+0000 in text and jsonb, and an unpaired UTF-16 surrogate has no UTF-8 form, so
 * either would be accepted here and then fail every store downstream: they are refused at
 * the edge, where the client can still be told. Other control characters are stored as given.
 */
function unstorableTextProblem(value: string): string | undefined {
  const found = unstorableTextIn(value);
  if (found?.kind === "nul") return `must not contain the NUL character (U+0000), found at position ${found.index}`;
  if (found?.kind === "lone_surrogate") return `must be valid Unicode: an unpaired UTF-16 surrogate (a lone \\ud800–\\udfff escape) was found at code point ${found.codePoint}`;
  return undefined;
}

/** A string field that must be storable (see unstorableTextProblem). */
const storable = (ctx: z.RefinementCtx, value: string): boolean => {
  const problem = unstorableTextProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
  return problem === undefined;
};

/**
 * Checked on the raw text, before any URL parser trims or drops characters in it: whitespace,
 * control characters, userinfo, a trailing dot and non-http(s) schemes are refused whatever the
 * configuration. Names, ports and addresses need the configuration and DNS: webhooks/target.ts.
 * Stored as the URL parser spells it (`HTTPS://Example.COM/x` → `https://example.com/x`), the
 * form delivery checks and calls.
 */
const WebhookUrl = z
  .string()
  .max(2048)
  .superRefine((raw, ctx) => {
    if (!storable(ctx, raw)) return;
    const verdict = webhookUrlSyntaxVerdict(raw);
    if (!verdict.allowed) ctx.addIssue({ code: "custom", message: verdict.reason });
  })
  .transform((raw) => new URL(raw).href)
  .meta({ format: "uri" })
  .describe("Where the result is POSTed, signed with webhook_secret, when the request ends");

/** The validated request, with defaults applied: what a SubmitRequest is made from. */
export type ProcessInput = {
  text: string;
  orchestration_mode: OrchestrationMode;
  agents: AgentId[];
  webhook: { url: string; secret: string } | null;
};

export function processRequestBody(maxTextLength = DEFAULT_MAX_TEXT_LENGTH) {
  return z
    .object({
      text: z
        .string()
        .superRefine((text, ctx) => {
          if (!storable(ctx, text)) return;
          const length = codePointLength(text);
          if (length < MIN_TEXT_LENGTH || length > maxTextLength) {
            ctx.addIssue({
              code: "custom",
              message: `must be ${MIN_TEXT_LENGTH} to ${maxTextLength} characters (Unicode code points), got ${length}`,
            });
          } else if (!/\S/u.test(text)) {
            ctx.addIssue({ code: "custom", message: "must not be blank" });
          }
        })
        .describe(`The text to analyse: ${MIN_TEXT_LENGTH} to ${maxTextLength} characters, counted in Unicode code points`)
        .meta({ example: "Apple reported record earnings in Cupertino on Tuesday, and investors cheered." }),
      orchestration_mode: OrchestrationMode.default("parallel").describe(
        "parallel: every agent at once; sequential: one after another, each later agent seeing the earlier outputs",
      ),
      agents: z
        .array(AgentId)
        .min(1, "must name at least one agent")
        .refine((agents) => new Set(agents).size === agents.length, "must not name an agent twice")
        .default([...AGENT_IDS])
        .describe("Which agents to run, in run order (sequential mode); default all three")
        .meta({ example: [...AGENT_IDS] }),
      webhook_url: WebhookUrl.nullish(),
      webhook_secret: z
        .string()
        .min(MIN_WEBHOOK_SECRET_LENGTH, `must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters`)
        .max(1024)
        .superRefine((secret, ctx) => void storable(ctx, secret))
        .nullish()
        .describe("HMAC key for the webhook's signatures; required with webhook_url; never stored or returned in plain text"),
    })
    .superRefine((body, ctx) => {
      if (body.webhook_url && !body.webhook_secret) {
        ctx.addIssue({ code: "custom", path: ["webhook_secret"], message: "is required when webhook_url is given" });
      }
    })
    .transform(
      (body): ProcessInput => ({
        text: body.text,
        orchestration_mode: body.orchestration_mode,
        agents: body.agents,
        // A secret without a URL has nothing to sign: it is ignored, like any unknown field.
        webhook: body.webhook_url && body.webhook_secret ? { url: body.webhook_url, secret: body.webhook_secret } : null,
      }),
    )
    .describe("A request to run agents over a text. Unknown fields are ignored.");
}

export const IdempotencyKeyHeader = z
  .string()
  .regex(/^[\x20-\x7E]{1,255}$/, "must be 1 to 255 printable ASCII characters")
  .describe("Makes a retried POST return the same request instead of starting another");
