-- Every list is one tenant's (API keys: each caller reads its own tenant only), so the
-- list's indexes lead with the tenant: a page of one tenant's requests, newest first, with
-- or without a status, is read from an index whatever the other tenants hold.

-- Up Migration
CREATE INDEX requests_by_tenant_newest_first ON requests (tenant_id, created_at DESC, request_id DESC);
CREATE INDEX requests_by_tenant_status_newest_first ON requests (tenant_id, status, created_at DESC, request_id DESC);
DROP INDEX requests_by_status_newest_first;

-- Down Migration
CREATE INDEX requests_by_status_newest_first ON requests (status, created_at DESC, request_id DESC);
DROP INDEX requests_by_tenant_status_newest_first;
DROP INDEX requests_by_tenant_newest_first;
