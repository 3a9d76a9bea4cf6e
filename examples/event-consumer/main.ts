// A runnable example consumer of Chorus events; prints one JSON line per event.
//   npx node examples/event-consumer/main.ts request <request_id>      follow one request to its end
//   npx node examples/event-consumer/main.ts type <EventType> [durable]  every event of one type (Ctrl-C stops)
// NATS_URL (default nats://127.0.0.1:4222) and CHORUS_SUBJECT_PREFIX (default chorus) pick the server and topology.
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { EVENT_SCHEMAS, type ChorusEventType } from "@chorus/contracts";
import { consumeEventType, followRequest, type OnEvent } from "./subscribe.ts";

const [mode, target, durable = "example-consumer"] = process.argv.slice(2);
const prefix = process.env.CHORUS_SUBJECT_PREFIX ?? "chorus";
const usage = "usage: main.ts request <request_id> | main.ts type <EventType> [durable]";

const print: OnEvent = (event, seq) => {
  process.stdout.write(`${JSON.stringify({ seq, type: event.type, request_id: event.request_id, occurred_at: event.occurred_at, data: event.data })}\n`);
};

if (!target || (mode !== "request" && mode !== "type")) {
  process.stderr.write(`${usage}\n`);
  process.exit(64);
}
if (mode === "type" && !(target in EVENT_SCHEMAS)) {
  process.stderr.write(`unknown event type ${target}; one of ${Object.keys(EVENT_SCHEMAS).join(", ")}\n`);
  process.exit(64);
}

const nc = await connect({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222", name: "chorus-example-consumer" });
const js = jetstream(nc);

if (mode === "request") {
  await followRequest(js, prefix, target, print);
  await nc.drain();
} else {
  const consuming = await consumeEventType(js, await jetstreamManager(nc), prefix, target as ChorusEventType, durable, print);
  const stop = async () => {
    await consuming.stop();
    await nc.drain();
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}
