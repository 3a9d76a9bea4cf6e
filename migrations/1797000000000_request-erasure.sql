-- Erasure of one request (DELETE /api/v1/results/{id}): its row stays, as the record that
-- it existed and was erased, when and by which key; what the client wrote is gone from
-- every table (see services/projector/src/projection/erasure.ts).

-- Up Migration
ALTER TABLE requests ADD COLUMN erased_at timestamptz, ADD COLUMN erased_by_key text;

-- Down Migration
ALTER TABLE requests DROP COLUMN erased_by_key, DROP COLUMN erased_at;
