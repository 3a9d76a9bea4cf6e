// The web console: see routes.ts.
export { consoleRoutes, CONSOLE_POLICY } from "./routes.ts";
