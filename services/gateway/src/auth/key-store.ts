// The keys stream as this replica sees it: every key event folded into a registry, live.
// Each replica follows the stream with an ordered consumer, so a key created or revoked
// on any replica takes effect here within the stream's delivery time (milliseconds), and
// a replica's own change takes effect at once. Also records those changes.
import { randomUUID } from "node:crypto";
import { ApiKeyEvent, apiKeyEventSuffix, messageIds, type Topology } from "@chorus/contracts";
import { DeliverPolicy, publishValidated, sleep, type JetStreamClient, type JetStreamManager, type Logger } from "@chorus/platform";
import { emptyKeyRegistry, evolveKeys, type KeyRegistry } from "./registry.ts";

export type KeyStore = {
  registry: KeyRegistry;
  /** Resolves once every key event recorded before the start has been folded in. */
  ready: Promise<void>;
  /** Records a key event and folds it in here at once; the other replicas follow. */
  record(event: Omit<ApiKeyEvent, "id">): Promise<void>;
  stop(): void;
};

export type KeyStoreDeps = { js: JetStreamClient; jsm: JetStreamManager; topology: Topology; logger: Logger };

export function followKeys(deps: KeyStoreDeps): KeyStore {
  const { topology: t, logger } = deps;
  const registry = emptyKeyRegistry();
  const stopped = new AbortController();
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  let applied = 0;

  const apply = (raw: unknown, seq: number) => {
    const parsed = ApiKeyEvent.safeParse(raw);
    if (!parsed.success) logger.warn({ seq }, "skipping a key event that does not match its schema");
    else evolveKeys(registry, parsed.data);
    applied = Math.max(applied, seq);
  };

  async function follow(): Promise<void> {
    while (!stopped.signal.aborted) {
      try {
        const { last_seq: target, messages: stored } = (await deps.jsm.streams.info(t.streams.keys)).state;
        // An empty stream (or one whose last message was removed) has no last sequence to reach.
        if (applied >= target || stored === 0) markReady();
        const consumer = await deps.js.consumers.get(t.streams.keys, {
          filter_subjects: t.subjects.allKeyEvents,
          ...(applied > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: applied + 1 } : { deliver_policy: DeliverPolicy.All }),
        });
        // Short pulls: a consumer lost with a NATS restart is noticed and remade within seconds,
        // well inside the 5 s in which a revocation must reach every replica.
        const messages = await consumer.consume({ max_messages: 256, expires: 5_000 });
        const stop = () => void messages.stop();
        stopped.signal.addEventListener("abort", stop, { once: true });
        try {
          for await (const m of messages) {
            let raw: unknown;
            try {
              raw = m.json();
            } catch {
              raw = undefined;
            }
            apply(raw, m.seq);
            if (applied >= target || m.info.pending === 0) markReady();
          }
        } finally {
          stopped.signal.removeEventListener("abort", stop);
        }
      } catch (err) {
        if (stopped.signal.aborted) return;
        logger.warn({ err }, "following the API keys stream failed; trying again");
      }
      await sleep(1_000, stopped.signal).catch(() => undefined);
    }
  }
  void follow();

  return {
    registry,
    ready,
    async record(change) {
      const event = ApiKeyEvent.parse({ ...change, id: randomUUID() });
      const suffix = apiKeyEventSuffix(event);
      await publishValidated(deps.js, t.subjects.keyEvent(event.key_id, suffix), ApiKeyEvent, event, {
        msgID: messageIds.keyEvent(event.key_id, suffix),
        correlationId: event.correlation_id,
      });
      evolveKeys(registry, event);
    },
    stop: () => stopped.abort(),
  };
}
