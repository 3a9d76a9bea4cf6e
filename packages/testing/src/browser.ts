// Headless Chromium for browser tests: Debian's `chromium` (CHROMIUM_PATH to override),
// driven by playwright-core. A page opened here refuses, and records, every request that
// does not go to the server under test, and records the page's script errors.
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** No browser is a failure, not a skip: CI must install Debian's chromium package. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

export type WatchedPage = { page: Page; external: string[]; errors: string[] };

/** A new page (in `context`, or a context of its own) at `origin + path`, watched as the header says. */
export async function openWatched(from: Browser | BrowserContext, origin: string, path: string): Promise<WatchedPage> {
  const page = await from.newPage();
  const external: string[] = [];
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
    external.push(url);
    return route.abort();
  });
  await page.goto(`${origin}${path}`);
  return { page, external, errors };
}

export type WatchedPages = {
  /** Opens and watches a page (see openWatched), keeping it for `problems`. */
  open(from: Browser | BrowserContext, origin: string, path: string): Promise<Page>;
  /** What every page opened so far requested from elsewhere, and its script errors. */
  problems(): { external: string[]; errors: string[] };
};

/** The pages a test file opens, so its end can check that none loaded anything from elsewhere or threw. */
export function watchedPages(): WatchedPages {
  const opened: WatchedPage[] = [];
  return {
    async open(from, origin, path) {
      const watched = await openWatched(from, origin, path);
      opened.push(watched);
      return watched.page;
    },
    problems: () => ({ external: opened.flatMap((p) => p.external), errors: opened.flatMap((p) => p.errors) }),
  };
}
