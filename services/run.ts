// Several Chorus services in one process: `node services/run.ts gateway agents` (or one,
// like its main.ts). npm start runs Chorus this way, in two processes, on one machine;
// see runServices (@chorus/platform) for which variables each service reads. The only
// file here that reads process.env and process.argv.
import { runServices, type RunnableService } from "@chorus/platform";

// Loaded only when named: a process imports the code of the services it runs, no more.
const SERVICES: RunnableService[] = [
  { name: "gateway", load: async () => (await import("./gateway/src/service.ts")).gatewayService },
  { name: "orchestrator", load: async () => (await import("./orchestrator/src/service.ts")).orchestratorService },
  { name: "agents", load: async () => (await import("./agents/src/service.ts")).agentsService },
  { name: "projector", load: async () => (await import("./projector/src/service.ts")).projectorService },
  { name: "webhooks", load: async () => (await import("./webhooks/src/service.ts")).webhooksService },
];

// `gateway agents` or `gateway,agents`: either way one list.
await runServices(process.argv.slice(2).flatMap((a) => a.split(",")).filter((n) => n !== ""), SERVICES, process.env);
