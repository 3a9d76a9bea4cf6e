-- Read models for requests, agent results and webhook deliveries. Every table here
-- can be dropped and rebuilt from the event stream (npm run projector:rebuild).
-- Names are unqualified: the migration runner sets the schema (read_model by default,
-- a staging schema during a rebuild).

-- Up Migration
CREATE TABLE requests (
  request_id uuid PRIMARY KEY,
  tenant_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'processing', 'completed', 'partial', 'failed')),
  orchestration_mode text NOT NULL CHECK (orchestration_mode IN ('sequential', 'parallel')),
  agents text[] NOT NULL,
  text_length integer NOT NULL,
  correlation_id text NOT NULL,
  idempotency_key text,
  webhook_url text,
  webhook_status text CHECK (webhook_status IN ('pending', 'delivered', 'failed', 'exhausted')),
  webhook_attempts integer NOT NULL DEFAULT 0,
  webhook_last_status_code integer,
  webhook_delivered_at timestamptz,
  created_at timestamptz NOT NULL,
  completed_at timestamptz,
  duration_ms integer,
  -- Stream sequence of the newest event applied to this row.
  last_event_seq bigint NOT NULL
);
CREATE INDEX requests_newest_first ON requests (created_at DESC, request_id DESC);
CREATE INDEX requests_by_status_newest_first ON requests (status, created_at DESC, request_id DESC);

CREATE TABLE agent_results (
  request_id uuid NOT NULL,
  agent text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed')),
  provider text,
  model text,
  dispatched_at timestamptz,
  started_at timestamptz,
  finished_at timestamptz,
  duration_ms integer,
  prompt_tokens integer,
  completion_tokens integer,
  total_tokens integer,
  output jsonb,
  error_code text,
  error_message text,
  last_event_seq bigint NOT NULL,
  PRIMARY KEY (request_id, agent)
);

CREATE TABLE webhook_attempts (
  event_id uuid PRIMARY KEY,
  request_id uuid NOT NULL,
  webhook_id text NOT NULL,
  attempt integer NOT NULL,
  url text NOT NULL,
  status_code integer,
  duration_ms integer NOT NULL,
  error text,
  next_attempt_at timestamptz,
  attempted_at timestamptz NOT NULL,
  stream_seq bigint NOT NULL
);
CREATE INDEX webhook_attempts_by_request ON webhook_attempts (request_id, attempted_at, attempt);

-- One row per applied event, written in the same transaction as the change it made:
-- a redelivered event finds its row and changes nothing.
CREATE TABLE projected_events (
  stream_seq bigint PRIMARY KEY,
  event_id uuid NOT NULL,
  projected_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE projected_events;
DROP TABLE webhook_attempts;
DROP TABLE agent_results;
DROP TABLE requests;
