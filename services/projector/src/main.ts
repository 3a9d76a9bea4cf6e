// Entry of the projector service alone in its process. The only file that reads process.env;
// runService does the rest (probes, /metrics, lag, shutdown). See service.ts.
import { runService } from "@chorus/platform";
import { projectorService } from "./service.ts";

await runService(projectorService(process.env));
