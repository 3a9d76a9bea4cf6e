// Test projects by kind: unit (pure, milliseconds), int (real NATS and Postgres),
// e2e (real service processes). `npm test` runs all three.
import { defineConfig } from "vitest/config";

// int and e2e need NATS and Postgres: the servers NATS_URL and DATABASE_URL name, else
// containers. The second project's setup finds the first one's containers answering, so
// they start once per run, and a unit-only run needs no servers.
const testServers = "./packages/testing/src/test-servers-setup.ts";

export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["**/*.unit.test.ts"], exclude: ["**/node_modules/**"] } },
      {
        test: {
          name: "int",
          include: ["**/*.int.test.ts"],
          exclude: ["**/node_modules/**"],
          globalSetup: [testServers],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["**/*.e2e.test.ts"],
          exclude: ["**/node_modules/**"],
          globalSetup: [testServers],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
