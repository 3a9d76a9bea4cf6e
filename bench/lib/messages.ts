// JetStream messages a request costs, from stream sequence numbers before and after a
// run (work-queue streams delete acked messages, so counts would undercount). Pure.

export type StreamSequences = { events: number; commands: number; tasks: number };

export type MessageCost = StreamSequences & { total: number; perRequest: number; perRequestByStream: StreamSequences };

export function messageCost(before: StreamSequences, after: StreamSequences, requests: number): MessageCost {
  const events = after.events - before.events;
  const commands = after.commands - before.commands;
  const tasks = after.tasks - before.tasks;
  const total = events + commands + tasks;
  const per = (n: number) => (requests > 0 ? n / requests : NaN);
  return { events, commands, tasks, total, perRequest: per(total), perRequestByStream: { events: per(events), commands: per(commands), tasks: per(tasks) } };
}
