// Parameters and answers of the results routes, validated here and described for the
// OpenAPI document.
import { z } from "zod";
import { AgentId, OrchestrationMode, RequestStatus } from "@chorus/contracts";

const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 20;

export const ListResultsQuery = z.object({
  page: z.coerce.number().int().min(1).default(1).describe("1-based page number"),
  page_size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE).describe(`Requests per page, at most ${MAX_PAGE_SIZE}`),
  status: RequestStatus.optional().describe("Only requests in this status"),
  orchestration_mode: OrchestrationMode.optional().describe("Only requests run in this mode"),
  agent: AgentId.optional().describe("Only requests that run this agent"),
});
export type ListResultsQuery = z.infer<typeof ListResultsQuery>;

export { ResultsPage } from "@chorus/contracts";

/** A request id in a path; anything that is not a UUID names no request (404). */
export const RequestIdParam = z.uuid();
