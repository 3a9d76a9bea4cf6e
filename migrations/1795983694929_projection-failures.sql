-- Events the projector could not apply as they are (data Postgres refuses, such as U+0000
-- or an unpaired surrogate in a string): each one is dead-lettered, recorded here with its
-- reason, and its request shows the first of them instead of reading as processing for
-- good. Rebuilt from the event stream like every other read model.

-- Up Migration
-- The reason of the request's earliest event (by stream sequence) that could not be projected.
ALTER TABLE requests ADD COLUMN projection_error text;

CREATE TABLE projection_failures (
  stream_seq bigint PRIMARY KEY,
  event_id uuid NOT NULL,
  request_id uuid NOT NULL,
  event_type text NOT NULL,
  reason text NOT NULL,
  -- Whether what could be stored of the event (its strings made storable) was applied.
  salvaged boolean NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX projection_failures_by_request ON projection_failures (request_id, stream_seq);

-- Down Migration
DROP TABLE projection_failures;
ALTER TABLE requests DROP COLUMN projection_error;
