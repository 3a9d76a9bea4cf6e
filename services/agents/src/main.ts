// Entry of the agents service alone in its process. With services/run.ts, the only files
// that read process.env; runService does the rest (probes, /metrics, lag, shutdown). See service.ts.
import { runService } from "@chorus/platform";
import { agentsService } from "./service.ts";

await runService(agentsService(process.env));
