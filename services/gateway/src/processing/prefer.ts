// RFC 7240 `Prefer` for POST /process: `respond-async` asks for a 202 at once; `wait=N`
// shortens (never lengthens) how long the gateway waits for the result.
export type Preferences = { respondAsync: boolean; waitSeconds: number | undefined };

export function parsePrefer(header: string | undefined): Preferences {
  const prefs: Preferences = { respondAsync: false, waitSeconds: undefined };
  for (const part of (header ?? "").split(/[,;]/)) {
    const [rawName, rawValue] = part.split("=", 2).map((s) => s.trim());
    const name = rawName?.toLowerCase();
    if (name === "respond-async") prefs.respondAsync = true;
    else if (name === "wait" && rawValue && /^\d+$/.test(rawValue)) prefs.waitSeconds = Number(rawValue);
  }
  return prefs;
}

/** How long to wait for the end: the configured bound, or less if the client asked for less. */
export function waitBoundMs(prefs: Preferences, configuredMs: number): number {
  return prefs.waitSeconds === undefined ? configuredMs : Math.min(configuredMs, prefs.waitSeconds * 1000);
}
