// Rebuilds every read model from the event stream without stopping the live projector
// (servers before 2.14 cannot reset a consumer): migrate a staging schema, replay the
// whole stream into it with the live projection code, then swap it in atomically. An
// event the read models cannot take is recorded as the live projector records it (see
// store/failures.ts) and reported; the rebuild goes on. Rows older than the read models'
// retention (RETENTION_DAYS) are pruned from the staging schema before the swap, so a
// rebuild brings back no more than the live projection keeps.
import type { Topology } from "@chorus/contracts";
import { READ_MODEL_SCHEMA, migrateReadModels, sql, type DatabasePool, type JetStreamManager, type JetStreamClient, type Logger } from "@chorus/platform";
import { applyRecordingFailuresIn, type Queryable } from "../store/index.ts";
import type { SequencedEvent } from "../projection/index.ts";
import { pruneReadModelsIn, retentionCutoff } from "../retention/index.ts";
import { openReplay, type Replay } from "./replay.ts";
import { swapSchemas, type SchemaNames } from "./swap.ts";

export type RebuildDeps = {
  js: JetStreamClient;
  jsm: JetStreamManager;
  topology: Topology;
  pool: DatabasePool;
  /** For the migration runner, which opens its own connection. */
  databaseUrl: string;
  logger: Logger;
  /** The live schema; staging is `<schema>_rebuild`, the replaced one `<schema>_old`. */
  schema?: string;
  /** Events per transaction while replaying. */
  batchSize?: number;
  /** The read models' retention (RETENTION_DAYS): older rows are not brought back; 0 or unset keeps all. */
  retentionDays?: number;
  now?: () => Date;
};

export type RebuildResult = {
  /** Events applied to the new read models, caught-up ones included. */
  events: number;
  /** Of those, events that reached the stream during the replay, applied under the lock. */
  caughtUp: number;
  /** Messages in the stream that are not valid events. */
  skipped: number;
  /** Valid events the read models could not take as they are: recorded in projection_failures with their reasons (what could be stored of them applied). */
  failed: number;
  /** Stream sequence the new read models are complete up to. */
  lastSeq: number;
  /** Requests replayed but left out as older than the retention. */
  expired: number;
  durationMs: number;
};

export class RebuildInProgressError extends Error {
  override name = "RebuildInProgressError";
}

const DEFAULT_BATCH_SIZE = 250;
const MAX_PASSES = 3;

type Connection = Parameters<Parameters<DatabasePool["connect"]>[0]>[0];

export async function rebuildReadModels(deps: RebuildDeps): Promise<RebuildResult> {
  const started = performance.now();
  const live = deps.schema ?? READ_MODEL_SCHEMA;
  const names: SchemaNames = { live, staging: `${live}_rebuild`, old: `${live}_old` };
  const log = deps.logger.child({ schema: live, staging: names.staging });

  return deps.pool.connect(async (conn) => {
    // One rebuild at a time: a second would drop the first one's staging schema.
    const lockKey = sql.fragment`hashtext(${`chorus.projector.rebuild:${live}`})`;
    if (!(await conn.oneFirst(sql.unsafe`SELECT pg_try_advisory_lock(${lockKey}) AS locked`))) {
      throw new RebuildInProgressError(`a rebuild of "${live}" is already running`);
    }
    try {
      for (const leftover of [names.staging, names.old]) await conn.query(sql.unsafe`DROP SCHEMA IF EXISTS ${sql.identifier([leftover])} CASCADE`);
      await migrateReadModels(deps.databaseUrl, { schema: names.staging, logger: log });
      const replay = await openReplay(deps.js, deps.topology.streams.events, { batchSize: deps.batchSize ?? DEFAULT_BATCH_SIZE, logger: log });
      try {
        await warnIfStreamKeepsLess(deps, log);
        const { replayed, caughtUp, failed, expired } = await replayAndSwap(deps, conn, replay, names, log);
        const result = { events: replayed + caughtUp, caughtUp, skipped: replay.skipped(), failed, expired, lastSeq: replay.lastSeq(), durationMs: Math.round(performance.now() - started) };
        log.info(result, "read models rebuilt and swapped in");
        return result;
      } finally {
        await replay.close();
      }
    } catch (err) {
      await conn.query(sql.unsafe`DROP SCHEMA IF EXISTS ${sql.identifier([names.staging])} CASCADE`).catch(() => undefined);
      throw err;
    } finally {
      await conn.query(sql.unsafe`SELECT pg_advisory_unlock(${lockKey})`);
    }
  });
}

async function replayAndSwap(deps: RebuildDeps, conn: Connection, replay: Replay, names: SchemaNames, log: Logger) {
  const stream = deps.topology.streams.events;
  let failed = 0;
  const applyTo = (db: Queryable) => async (batch: SequencedEvent[]) => {
    // In stream order a request's row always precedes its webhook facts, unless aged out.
    for (const f of await applyRecordingFailuresIn(db, names.staging, batch, { whenRequestMissing: "apply" })) {
      failed += 1;
      log.warn({ seq: f.seq, request_id: f.event.request_id, type: f.event.type, reason: f.reason }, "event could not be projected as it is; recorded with its reason");
    }
  };
  const batchSize = deps.batchSize ?? DEFAULT_BATCH_SIZE;
  let replayed = 0;
  // Chase the stream's end a few times (each pass reads what arrived during the one
  // before), so that what is left for the locked catch-up, while the live projector
  // waits, is small. Bounded: a stream written faster than it replays never settles.
  for (let pass = 1; pass <= MAX_PASSES; pass++) {
    const target = (await deps.jsm.streams.info(stream)).state.last_seq;
    log.info({ until_seq: target, pass }, "replaying the event stream into the staging schema");
    const read = await replay.until(target, (batch) => conn.transaction((tx) => applyTo(tx)(batch)));
    replayed += read;
    if (read <= batchSize) break;
  }
  let caughtUp = 0;
  // Before the swap, outside its lock: on a long stream this deletes most of what was replayed.
  const cutoff = retentionCutoff((deps.now ?? (() => new Date()))(), deps.retentionDays ?? 0);
  const expired = cutoff ? (await conn.transaction((tx) => pruneReadModelsIn(tx, names.staging, cutoff))).requests : 0;
  await conn.transaction((tx) =>
    swapSchemas(tx, names, async () => {
      // The live tables are held now: what reached the stream meanwhile is applied here;
      // anything later is the live projector's, after the swap.
      const end = (await deps.jsm.streams.info(stream)).state.last_seq;
      caughtUp = await replay.until(end, applyTo(tx));
    }),
  );
  return { replayed, caughtUp, failed, expired };
}

/** A stream that ages events out before the read models do cannot give a rebuild all they held: say so. */
async function warnIfStreamKeepsLess(deps: RebuildDeps, log: Logger): Promise<void> {
  const maxAgeNs = (await deps.jsm.streams.info(deps.topology.streams.events)).config.max_age ?? 0;
  const streamDays = maxAgeNs / 1e9 / 86_400;
  const readModelDays = deps.retentionDays ?? 0;
  if (streamDays > 0 && (readModelDays === 0 || streamDays < readModelDays)) {
    log.warn(
      { stream_days: streamDays, retention_days: readModelDays },
      "the event stream keeps events for less time than the read models keep rows: the rebuilt read models hold only what the stream still has",
    );
  }
}
