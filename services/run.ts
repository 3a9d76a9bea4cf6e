// Several Chorus services in one process: `node services/run.ts gateway agents` (or one,
// like its main.ts). npm start runs Chorus this way, in two processes, on one machine;
// see runServices (@chorus/platform) for which variables each service reads. The only
// file here that reads process.env and process.argv.
import { runServices, type RunnableService } from "@chorus/platform";
import { agentsService } from "./agents/src/service.ts";
import { gatewayService } from "./gateway/src/service.ts";
import { orchestratorService } from "./orchestrator/src/service.ts";
import { projectorService } from "./projector/src/service.ts";
import { webhooksService } from "./webhooks/src/service.ts";

const SERVICES: RunnableService[] = [
  { name: "gateway", define: gatewayService },
  { name: "orchestrator", define: orchestratorService },
  { name: "agents", define: agentsService },
  { name: "projector", define: projectorService },
  { name: "webhooks", define: webhooksService },
];

// `gateway agents` or `gateway,agents`: either way one list.
await runServices(process.argv.slice(2).flatMap((a) => a.split(",")).filter((n) => n !== ""), SERVICES, process.env);
