// The agents service: the selected agents' task consumers over the configured provider,
// the agents' gRPC Analyze, and the provider-health reports for the gateway's
// /api/v1/health, as runService takes it (main.ts runs it alone in a process;
// services/run.ts beside other services).
import { hostname } from "node:os";
import { consumersRunning, defineService } from "@chorus/platform";
import { agentConcurrency, AgentsConfig } from "./config.ts";
import { startGrpcServer } from "./grpc/index.ts";
import { startProviderHealthReports } from "./provider-health/publisher.ts";
import { configuredProvider } from "./providers/configured.ts";
import { startAgents } from "./start-agents.ts";

export function agentsService(env: Record<string, string | undefined>) {
  return defineService({
    name: "agents",
    config: AgentsConfig,
    env,
    async start({ config, logger, topology, js, jsm, startStep }) {
      const provider = await configuredProvider(config, { js, topology, logger, startStep });
      const agents = await startStep("starting task consumers", () =>
        startAgents({
          js,
          jsm,
          topology,
          logger,
          provider,
          agents: config.AGENT,
          concurrency: agentConcurrency(config, provider.name),
          ackWaitMs: config.AGENT_ACK_WAIT_MS,
          maxDeliver: config.AGENT_MAX_DELIVER,
          startedAfterMs: config.AGENT_STARTED_AFTER_MS,
        }),
      );
      const grpc = await startGrpcServer({ port: config.GRPC_PORT, provider, logger, token: config.AGENT_GRPC_TOKEN, maxTextLength: config.MAX_TEXT_LENGTH });
      // After the models are prepared, so the first check does not wait on them.
      const healthReports = startProviderHealthReports({
        js,
        topology,
        provider,
        agents: config.AGENT,
        instance: `${hostname()}:${process.pid}`,
        intervalMs: config.PROVIDER_CHECK_INTERVAL_MS,
        logger,
      });
      return {
        readiness: { consumers: consumersRunning(agents), provider: () => provider.check() },
        // The NATS drain after these flushes the acks of the tasks that finished while stopping.
        closers: [
          { name: "provider health reports", close: () => healthReports.stop() },
          { name: "grpc server", close: () => grpc.stop() },
          { name: "task consumers", close: () => agents.stop() },
        ],
        summary: { grpc_port: grpc.port, grpc_analyze: config.AGENT_GRPC_TOKEN === undefined ? "closed" : "token" },
      };
    },
  });
}
