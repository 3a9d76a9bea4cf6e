// `npm run contracts:schemas`: writes the JSON Schema of every event and command.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { jsonSchemaFiles } from "@chorus/contracts";

const root = fileURLToPath(new URL("../packages/contracts/schemas/", import.meta.url));
for (const file of jsonSchemaFiles()) {
  const path = join(root, file.path);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(file.schema, null, 2)}\n`);
}
console.log(`wrote ${jsonSchemaFiles().length} schemas to packages/contracts/schemas/`);
