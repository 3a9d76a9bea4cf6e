// A NATS KV bucket opened on first use (created when missing, with the given options) and
// shared by every later use; a failed open is tried again on the next use, so a broker that
// is down when a service starts does not leave it without the bucket.
import { Kvm, type KV, type KvOptions } from "@nats-io/kv";
import type { JetStreamClient } from "./nats.ts";

export function kvBucketOnFirstUse(js: JetStreamClient, name: string, options: Partial<KvOptions>): () => Promise<KV> {
  let opened: Promise<KV> | undefined;
  return () =>
    (opened ??= new Kvm(js).create(name, options).catch((err: unknown) => {
      opened = undefined;
      throw err;
    }));
}
