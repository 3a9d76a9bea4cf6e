// WEBHOOK_ALLOWED_PORTS: the ports a webhook URL may name unless WEBHOOK_ALLOW_PRIVATE is
// set. 80 and 443 by default, so that a webhook cannot probe or talk to services on other
// ports of public hosts (SMTP, databases, admin consoles). Read by the gateway at
// submission and by the webhook service at delivery, with the same default.
import { z } from "zod";

export const DEFAULT_WEBHOOK_PORTS: readonly number[] = [80, 443];

const Port = z
  .string()
  .regex(/^\d{1,5}$/, "must be port numbers separated by commas, e.g. 80,443")
  .transform(Number)
  .pipe(z.number().int().min(1).max(65_535));

/** A comma-separated list of ports ("80,443,8443"), as a list of numbers. */
export const WebhookPortsConfig = z
  .string()
  .default(DEFAULT_WEBHOOK_PORTS.join(","))
  .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean))
  .pipe(z.array(Port).min(1, "must list at least one port, e.g. 80,443"));
