// The one envelope every event and command travels in. Versioned per type so a
// consumer can refuse a version it does not know instead of misreading it.
import { z } from "zod";

export const TenantId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);
export const RequestId = z.uuid();
export type RequestId = z.infer<typeof RequestId>;

/**
 * Envelope fields shared by events and commands, around a typed payload. `versions`: the
 * versions of the type this schema reads (1 unless a type has been revised).
 */
export function envelope<const T extends string, D extends z.ZodType, const V extends readonly number[] = readonly [1]>(
  type: T,
  data: D,
  versions: V = [1] as unknown as V,
) {
  return z.object({
    id: z.uuid(),
    type: z.literal(type),
    version: z.literal(versions),
    request_id: RequestId,
    tenant_id: TenantId,
    occurred_at: z.iso.datetime({ offset: true }),
    correlation_id: z.string().min(1).max(200),
    data,
  });
}

export type EnvelopeMeta = {
  request_id: string;
  tenant_id: string;
  correlation_id: string;
  occurred_at: string;
};
