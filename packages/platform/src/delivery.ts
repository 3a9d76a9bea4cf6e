// What the consumers (consumer.ts, batch-consumer.ts) hand to their handlers, and how a
// handled or failed message is settled: ack, nak with a delay, or dead-letter on its last delivery.
import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
import type { Topology } from "@chorus/contracts";
import { deadLetterMessage } from "./dead-letter.ts";
import type { Logger } from "./logger.ts";

/** Where a consumer's messages are settled: its stream, its max_deliver, how long a failure waits (a consumer's own options are one). */
export type SettleContext = {
  js: JetStreamClient;
  topology: Topology;
  stream: string;
  maxDeliver: number;
  logger: Logger;
  retryDelayMs?: (deliveryCount: number) => number;
};

/**
 * What a handler asked for, done: ack, or nak with its delay — or, on the last delivery,
 * a copy to the dead-letter subject, since the server would not deliver it again and the
 * message would vanish unseen.
 */
export async function settleResult(ctx: SettleContext, m: JsMsg, result: HandleResult): Promise<void> {
  if (!result || !("retryInMs" in result)) m.ack();
  else if (m.info.deliveryCount >= ctx.maxDeliver) await deadLetterMessage(ctx.js, ctx.topology, ctx.stream, m, `still to be retried after ${m.info.deliveryCount} deliveries`, ctx.logger);
  else m.nak(Math.max(0, Math.round(result.retryInMs)));
}

/** A handler that threw: redelivered after the retry delay, or dead-lettered with the error on the last delivery. */
export async function settleFailure(ctx: SettleContext, m: JsMsg, err: unknown): Promise<void> {
  const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  if (m.info.deliveryCount >= ctx.maxDeliver) {
    await deadLetterMessage(ctx.js, ctx.topology, ctx.stream, m, `failed after ${m.info.deliveryCount} deliveries: ${reason}`, ctx.logger);
  } else {
    m.nak(Math.round((ctx.retryDelayMs ?? defaultRetryDelay)(m.info.deliveryCount)));
  }
}

export type Delivery = {
  subject: string;
  /** Stream sequence of this message. */
  seq: number;
  /** 1 on first delivery. */
  deliveryCount: number;
  /**
   * This message was handled before and that handling may have died midway: it is a
   * redelivery, or a run again in place after NATS was unavailable (see runConsumer).
   */
  handledBefore: boolean;
  /** Tells the server the handler is still working, extending the ack deadline. */
  working(): void;
  raw: JsMsg;
};

/** What a handler asks for: nothing (ack), or a redelivery after a delay (nak with delay). */
export type HandleResult = void | { retryInMs: number };

export type ConsumerHandle = {
  /** Stops pulling, waits for in-flight handlers to finish and ack, then resolves. */
  stop(): Promise<void>;
  /** True while the pull loop is running. */
  isRunning(): boolean;
};

/** Before a failed message is redelivered: 250 ms doubling to 30 s, jittered. */
export const defaultRetryDelay = (n: number) => Math.min(30_000, 250 * 2 ** (n - 1)) * (0.5 + Math.random() / 2);
