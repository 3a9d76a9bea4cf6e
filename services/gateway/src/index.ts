// @chorus/gateway: the REST API over the event-sourced core. main.ts runs it; tests and
// other tools build it with createApp / startGateway.
export { createApp } from "./app.ts";
export { startGateway, type Gateway } from "./server.ts";
export type { GatewayDeps, GatewaySettings } from "./deps.ts";
export { connectDatabaseInBackground, databaseLink, type DatabaseLink } from "./database/link.ts";
export { llmProviderStatus, LlmProviderStatus, STALE_AFTER_INTERVALS, type ProviderReportRead } from "./health/provider.ts";
export { HealthReport } from "./health/schema.ts";
export { ErrorBody, ErrorDetail } from "./http/errors.ts";
export { ProcessRequestBody, processRequestBody, IdempotencyKeyHeader, codePointLength, type ProcessInput } from "./processing/schema.ts";
export { ListResultsQuery, ResultsPage, RequestIdParam } from "./results/schema.ts";
export { viewFromEvents, applyEvent, submittedView } from "./views/fold.ts";
export { viewFromRows } from "./results/rows.ts";
export { requestIdForKey, fingerprintOf } from "./processing/idempotency.ts";
export { startGrpcGateway, ORCHESTRATION_SERVICE, type GrpcGateway } from "./grpc/index.ts";
export { openApiDocument } from "./openapi/document.ts";
export { followRequest, type FollowedEvent, type Following } from "./events/follow.ts";
