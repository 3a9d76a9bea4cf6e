// `npm start`'s preload: Node's compile cache on before the supervisor's modules load, so
// a second start reuses their compiled code (the services' own preload does the same).
// In NODE_COMPILE_CACHE's directory, else the system's temporary one.
import { enableCompileCache } from "node:module";

enableCompileCache();
