// The console's entry: routes a path to its view, asks for an API key when the gateway
// requires one, and keeps links inside the page (History API), so every view's URL is a
// deep link the gateway answers with the same shell.
import { apiKey, health } from "./api.js";
import { detailView } from "./detail.js";
import { keyPrompt, keyStatus, scopesOf } from "./key.js";
import { overviewView } from "./overview.js";
import { requestsView } from "./requests.js";
import { submitView } from "./submit.js";

const main = document.getElementById("main");
const status = document.getElementById("key-status");
let current = null;
let keysRequired = false;
let scopes = null;

const ROUTES = [
  [/^\/console\/?$/, "requests", requestsView],
  [/^\/console\/requests\/?$/, "requests", requestsView],
  [/^\/console\/requests\/(?<request_id>[^/]+)\/?$/, "requests", detailView],
  [/^\/console\/submit\/?$/, "submit", submitView],
  [/^\/console\/overview\/?$/, "overview", overviewView],
];

function navigate(url) {
  history.pushState(null, "", url);
  route({ focus: true });
}

function route({ focus = false } = {}) {
  current?.stop();
  current = null;
  if (keysRequired && !apiKey.get()) return askForKey("This gateway requires an API key.");
  const match = ROUTES.map(([pattern, nav, view]) => ({ found: pattern.exec(location.pathname), nav, view })).find((r) => r.found);
  for (const link of document.querySelectorAll("[data-nav]")) {
    if (match && link.dataset.nav === match.nav) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (!match) {
    main.replaceChildren(Object.assign(document.createElement("h1"), { textContent: "Not found" }));
    return;
  }
  current = match.view(main, { navigate, params: match.found.groups ?? {} });
  // After a navigation the new view's content is where a keyboard or screen reader goes next.
  if (focus && !main.contains(document.activeElement)) main.focus();
}

function askForKey(reason) {
  current?.stop();
  current = null;
  keyStatus(status, { scopes: null, onForget });
  keyPrompt(main, {
    reason,
    onKey: (found) => {
      scopes = found;
      keyStatus(status, { scopes, onForget });
      route({ focus: true });
    },
  });
}

function onForget() {
  apiKey.forget();
  scopes = null;
  askForKey("The key was forgotten. Enter one to go on.");
}

document.addEventListener("click", (event) => {
  const link = event.target.closest?.("a[href]");
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || link.target) return;
  const url = new URL(link.href);
  if (url.origin !== location.origin || !url.pathname.startsWith("/console")) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener("popstate", () => route({ focus: true }));
window.addEventListener("chorus:unauthorized", () => {
  if (!keysRequired) return;
  apiKey.forget();
  askForKey("The gateway did not accept the key (revoked or wrong). Enter another.");
});

async function start() {
  try {
    keysRequired = (await health()).body?.auth === "required";
  } catch {
    keysRequired = false;
  }
  const key = apiKey.get();
  if (keysRequired && key) {
    scopes = await scopesOf(key).catch(() => null);
    if (scopes === null) apiKey.forget();
    keyStatus(status, { scopes, onForget });
  }
  route();
}
start();
