// Entry of the webhooks service alone in its process. With services/run.ts, the only files
// that read process.env; runService does the rest (probes, /metrics, lag, shutdown). See service.ts.
import { runService } from "@chorus/platform";
import { webhooksService } from "./service.ts";

await runService(webhooksService(process.env));
