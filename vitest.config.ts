// Test projects by kind: unit (pure, milliseconds), int (real NATS and Postgres),
// e2e (real service processes). `npm test` runs all three.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["**/*.unit.test.ts"], exclude: ["**/node_modules/**"] } },
      {
        test: {
          name: "int",
          include: ["**/*.int.test.ts"],
          exclude: ["**/node_modules/**"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["**/*.e2e.test.ts"],
          exclude: ["**/node_modules/**"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
