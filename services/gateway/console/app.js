// The console's entry: routes a path to its view, asks for an API key when the gateway
// requires one, and keeps links inside the page (History API), so every view's URL is a
// deep link the gateway answers with the same shell.
import { apiKey } from "./api.js";
import { detailView } from "./detail.js";
import { identityOf, keyPrompt, keyStatus } from "./key.js";
import { overviewView } from "./overview.js";
import { requestsView } from "./requests.js";
import { submitView } from "./submit.js";

const main = document.getElementById("main");
const status = document.getElementById("key-status");
let current = null;
/** Whether the gateway wants a key: learnt at start, and from any 401 later (even when the start could not tell). */
let keysRequired = false;
let prompting = false;

const UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const ROUTES = [
  [/^\/console\/?$/, "requests", requestsView],
  [/^\/console\/requests\/?$/, "requests", requestsView],
  [new RegExp(`^/console/requests/(?<request_id>${UUID})/?$`), "requests", detailView],
  [/^\/console\/submit\/?$/, "submit", submitView],
  [/^\/console\/overview\/?$/, "overview", overviewView],
];

/** Whether a path is the console's (so /consolefoo is not). */
const isConsolePath = (path) => path === "/console" || path.startsWith("/console/");

function navigate(url) {
  history.pushState(null, "", url);
  route({ focus: true });
}

function route({ focus = false } = {}) {
  current?.stop();
  current = null;
  prompting = false;
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
  prompting = true;
  keyStatus(status, { identity: null, onForget });
  keyPrompt(main, {
    reason,
    onKey: (identity) => {
      keyStatus(status, { identity, onForget });
      route({ focus: true });
    },
  });
}

function onForget() {
  apiKey.forget();
  askForKey("The key was forgotten. Enter one to go on.");
}

document.addEventListener("click", (event) => {
  const link = event.target.closest?.("a[href]");
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || link.target) return;
  const url = new URL(link.href);
  if (url.origin !== location.origin || !isConsolePath(url.pathname)) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener("popstate", () => route({ focus: true }));
// Raised only on a real 401 (never on a network error): whatever the start learnt, the
// gateway wants a key, and the stored one (if any) is not accepted.
window.addEventListener("chorus:unauthorized", () => {
  keysRequired = true;
  if (prompting) return;
  const hadKey = apiKey.get() !== null;
  apiKey.forget();
  askForKey(hadKey ? "The gateway did not accept the key (revoked or wrong). Enter another." : "This gateway requires an API key.");
});

async function start() {
  const key = apiKey.get();
  let identity;
  try {
    identity = await identityOf(key);
  } catch {
    // Unreachable for now: the views say so, and a 401 later still asks for a key.
    identity = undefined;
  }
  if (identity === null) {
    keysRequired = true;
    if (key) {
      apiKey.forget();
      return askForKey("The gateway did not accept the stored key (revoked or wrong). Enter another.");
    }
  } else if (identity) {
    keysRequired = identity.auth === "required";
    keyStatus(status, { identity, onForget });
  }
  route();
}
start();
