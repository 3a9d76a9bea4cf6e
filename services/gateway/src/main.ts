// Entry of the gateway service alone in its process. With services/run.ts, the only files
// that read process.env; runService does the rest (probes, /metrics, lag, shutdown). See service.ts.
import { runService } from "@chorus/platform";
import { gatewayService } from "./service.ts";

await runService(gatewayService(process.env));
