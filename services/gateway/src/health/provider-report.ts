// Reads the agents' latest provider-health report from its NATS KV bucket for
// /api/v1/health, within a time bound, so a slow NATS makes the check fail, not hang.
import { Kvm, type KV } from "@nats-io/kv";
import { PROVIDER_HEALTH_KEY, ProviderHealthReport, providerHealthBucket, type Topology } from "@chorus/contracts";
import { isNotFound, type JetStreamClient } from "@chorus/platform";
import type { ProviderReportRead } from "./provider.ts";

export type ProviderReportSource = {
  js: JetStreamClient;
  topology: Topology;
  timeoutMs: number;
};

export function providerReportReader(source: ProviderReportSource): () => Promise<ProviderReportRead> {
  let kv: KV | undefined;

  const read = async (): Promise<ProviderReportRead> => {
    // Binding asks nothing of the server; the bucket is created by the agents service.
    kv ??= await new Kvm(source.js).open(providerHealthBucket(source.topology));
    let entry;
    try {
      entry = await kv.get(PROVIDER_HEALTH_KEY);
    } catch (err) {
      // No agents service has ever created the bucket.
      if (isNotFound(err)) return { report: null };
      throw err;
    }
    if (!entry || entry.operation !== "PUT") return { report: null };
    let value: unknown;
    try {
      value = entry.json();
    } catch {
      return { unreadable: "the report is not JSON" };
    }
    const parsed = ProviderHealthReport.safeParse(value);
    if (!parsed.success) return { unreadable: `the report does not match its schema: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}` };
    return { report: parsed.data };
  };

  return async () => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        read(),
        new Promise<ProviderReportRead>((resolve) => {
          timer = setTimeout(() => resolve({ unreadable: `NATS did not answer within ${source.timeoutMs} ms` }), source.timeoutMs);
        }),
      ]);
    } catch (err) {
      return { unreadable: err instanceof Error ? err.message : String(err) };
    } finally {
      clearTimeout(timer);
    }
  };
}
