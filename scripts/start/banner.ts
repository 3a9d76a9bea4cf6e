// What `npm start` prints once Chorus is ready: where it answers, the development key and
// the commands to paste (each on one line, outside the labelled log lines, so a person can
// copy them whole), or — with CHORUS_AUTH=off — that the API is open to anyone.
import { devKeyRequest } from "./local-keys.ts";

const RULE = "═".repeat(78);

const SAMPLE_TEXT = "Apple opened a new office in Berlin on Monday, and investors cheered the $2 billion plan.";

/** A curl that submits a text; with `keyVariable`, it sends that shell variable as the Bearer key. */
export function curlCommand(gatewayUrl: string, keyVariable: string | null): string {
  const body = JSON.stringify({ text: SAMPLE_TEXT });
  const auth = keyVariable ? `-H "Authorization: Bearer $${keyVariable}" ` : "";
  return `curl -s ${auth}-H 'content-type: application/json' -d '${body}' ${gatewayUrl}/api/v1/process`;
}

export type KeyedReady = {
  gatewayUrl: string;
  seconds: string;
  key: string;
  tenant: string;
  scopes: readonly string[];
  /** The development key's file as the person would type it (e.g. `.data/keys/dev.key`). */
  keyFile: string;
  /** Whether the key was made by this start (else an earlier one was reused). */
  created: boolean;
  /** The admin key's file as the person would type it, or null when it came from CHORUS_ADMIN_KEY. */
  adminKeyFile: string | null;
  /** Makes the lines a person must not miss stand out (bold on a terminal). */
  bold?: (text: string) => string;
};

const plain = (text: string) => text;

export function keyedReadyBanner(r: KeyedReady): string[] {
  const bold = r.bold ?? plain;
  return [
    RULE,
    bold(`  Chorus is ready on ${r.gatewayUrl} (in ${r.seconds}s). Every API call needs an API key.`),
    "",
    `  Your development key (tenant "${r.tenant}", scopes ${r.scopes.join(", ")}),`,
    `  ${r.created ? "created now and saved" : "the one saved earlier"} in ${r.keyFile}:`,
    "",
    bold(`      ${r.key}`),
    "",
    "  Try it:",
    `      export CHORUS_API_KEY=$(cat ${r.keyFile})`,
    `      ${curlCommand(r.gatewayUrl, "CHORUS_API_KEY")}`,
    "      npm run smoke",
    "",
    `  Web console: ${r.gatewayUrl}/console (it asks for the key above, and keeps it for the tab only)`,
    `  Admin key (creates and revokes keys at ${r.gatewayUrl}/api/v1/admin/keys): ${r.adminKeyFile ?? "your CHORUS_ADMIN_KEY"}`,
    "  Ctrl-C stops everything.",
    RULE,
  ];
}

export type OpenReady = {
  gatewayUrl: string;
  seconds: string;
  /** The address the gateway listens on (HOST). */
  host: string;
  bold?: (text: string) => string;
};

export function openReadyBanner(r: OpenReady): string[] {
  const bold = r.bold ?? plain;
  return [
    RULE,
    bold(`  Chorus is ready on ${r.gatewayUrl} (in ${r.seconds}s).`),
    "",
    ...openApiWarning(r.host).map((line) => bold(`  ${line}`)),
    "",
    "  Try it:",
    `      ${curlCommand(r.gatewayUrl, null)}`,
    "      npm run smoke",
    "",
    `  Web console: ${r.gatewayUrl}/console`,
    "  Ctrl-C stops everything.",
    RULE,
  ];
}

/** The loud part of CHORUS_AUTH=off, said at start and again when ready. */
export function openApiWarning(host: string): string[] {
  const where = host === "127.0.0.1" || host === "::1" || host === "localhost" ? `listens on ${host} only` : `listens on ${host}: other machines can reach it`;
  return [
    "⚠ CHORUS_AUTH=off: THE API IS OPEN. No API key is asked for: anyone who can reach the",
    `  gateway can submit, and read every request and result. The gateway ${where}.`,
    "  Unset CHORUS_AUTH to require API keys (npm start then makes one for you).",
  ];
}

/** Why no development key could be made, and how to make one by hand. */
export function devKeyFailure(reason: string, gatewayUrl: string, adminKeyFile: string | null, tenant: string): string[] {
  const adminKey = adminKeyFile ? `$(cat ${adminKeyFile})` : "$CHORUS_ADMIN_KEY";
  return [
    `✗ could not make a development API key: ${reason}`,
    "  Chorus is running; make a key with the admin key:",
    `  curl -s -H "Authorization: Bearer ${adminKey}" -H 'content-type: application/json' -d '${JSON.stringify(devKeyRequest(tenant))}' ${gatewayUrl}/api/v1/admin/keys`,
  ];
}
