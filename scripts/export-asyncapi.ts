// `npm run contracts:asyncapi`: writes the AsyncAPI document of the event subjects to
// packages/contracts/asyncapi.json; a test keeps that file in step with the code.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { asyncApiDocument } from "@chorus/contracts";

const path = fileURLToPath(new URL("../packages/contracts/asyncapi.json", import.meta.url));
writeFileSync(path, `${JSON.stringify(asyncApiDocument(), null, 2)}\n`);
console.log("wrote packages/contracts/asyncapi.json");
