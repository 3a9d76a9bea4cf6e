// What `npm start` prints when Chorus is ready: the key and commands that work when pasted.
import { describe, expect, it } from "vitest";
import { curlCommand, devKeyFailure, keyedReadyBanner, openApiWarning, openReadyBanner } from "./banner.ts";

const KEY = `chorus_sk_${"b".repeat(43)}`;

const ready = {
  gatewayUrl: "http://127.0.0.1:8000",
  seconds: "9.5",
  key: KEY,
  tenant: "default",
  scopes: ["requests:write", "requests:read", "webhooks:write"],
  keyFile: ".data/keys/dev.key",
  created: true,
  adminKeyFile: ".data/keys/admin.key",
};

describe("curlCommand", () => {
  it("sends the key from a shell variable, on one line", () => {
    const curl = curlCommand("http://127.0.0.1:8000", "CHORUS_API_KEY");
    expect(curl).toMatch(/^curl -s -H "Authorization: Bearer \$CHORUS_API_KEY" -H 'content-type: application\/json' -d '\{"text":"[^']+"\}' http:\/\/127\.0\.0\.1:8000\/api\/v1\/process$/);
    expect(curl).not.toContain("\n");
  });

  it("sends no Authorization header to an open API", () => {
    expect(curlCommand("http://127.0.0.1:8000", null)).not.toContain("Authorization");
  });
});

describe("keyedReadyBanner", () => {
  it("shows the key, the export from its file, the curl and the smoke test, each on a line of its own", () => {
    const lines = keyedReadyBanner(ready);
    expect(lines).toContain(`      ${KEY}`);
    expect(lines).toContain("      export CHORUS_API_KEY=$(cat .data/keys/dev.key)");
    expect(lines).toContain(`      ${curlCommand("http://127.0.0.1:8000", "CHORUS_API_KEY")}`);
    expect(lines).toContain("      npm run smoke");
    expect(lines.join("\n")).toMatch(/created now and saved in \.data\/keys\/dev\.key/);
    expect(lines.join("\n")).toMatch(/\.data\/keys\/admin\.key/);
    expect(lines).toContain("  Web console: http://127.0.0.1:8000/console (it asks for the key above, and keeps it for the tab only)");
  });

  it("says when the key is the one saved earlier, and where the admin key came from", () => {
    const text = keyedReadyBanner({ ...ready, created: false, adminKeyFile: null }).join("\n");
    expect(text).toMatch(/the one saved earlier in \.data\/keys\/dev\.key/);
    expect(text).toMatch(/your CHORUS_ADMIN_KEY/);
  });

  it("makes the headline and the key stand out, and nothing else", () => {
    const lines = keyedReadyBanner({ ...ready, bold: (t) => `*${t}*` });
    expect(lines.filter((l) => l.startsWith("*"))).toEqual([expect.stringMatching(/^\* {2}Chorus is ready on/), `*      ${KEY}*`]);
  });
});

describe("the open API", () => {
  it("says loudly that anyone can call it, and where it listens", () => {
    const local = openApiWarning("127.0.0.1").join(" ");
    expect(local).toMatch(/CHORUS_AUTH=off: THE API IS OPEN/);
    expect(local).toMatch(/listens on 127\.0\.0\.1 only/);
    expect(openApiWarning("0.0.0.0").join(" ")).toMatch(/other machines can reach it/);
  });

  it("shows a curl without a key when ready", () => {
    const text = openReadyBanner({ gatewayUrl: "http://127.0.0.1:8000", seconds: "3.0", host: "127.0.0.1" }).join("\n");
    expect(text).toContain(curlCommand("http://127.0.0.1:8000", null));
    expect(text).not.toContain("CHORUS_API_KEY");
    expect(text).toContain("Web console: http://127.0.0.1:8000/console");
  });
});

describe("devKeyFailure", () => {
  it("says why and gives the admin call that makes a key for the tenant", () => {
    const lines = devKeyFailure("POST /api/v1/admin/keys answered 503", "http://127.0.0.1:8000", ".data/keys/admin.key", "acme");
    expect(lines[0]).toMatch(/answered 503/);
    expect(lines.join("\n")).toContain(`-H "Authorization: Bearer $(cat .data/keys/admin.key)"`);
    expect(lines.join("\n")).toContain(`"tenant":"acme"`);
  });
});
