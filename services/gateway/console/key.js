// The API key, when the gateway requires one: asked for once per browser session, kept
// in sessionStorage (never a cookie, never the URL), and what it may do. No API names a
// key's tenant and scopes to the key itself, so the scopes are asked of the API with calls
// that change nothing: each route's guard answers 403 before anything else is read.
import { apiKey } from "./api.js";
import { h, show } from "./dom.js";

/** [scope, what it allows, a call that changes nothing whose answer is 403 without the scope]. */
const PROBES = [
  ["requests:read", "read requests", { path: "/api/v1/results?page_size=1" }],
  ["requests:write", "submit", { path: "/api/v1/process", method: "POST" }],
  ["requests:erase", "erase requests", { path: "/api/v1/results/-", method: "DELETE" }],
  ["webhooks:write", "retry webhooks", { path: "/api/v1/webhook/retry/-", method: "POST" }],
  ["admin", "manage keys", { path: "/api/v1/admin/keys" }],
];

/** The scopes `key` has, or null when the gateway does not accept it at all. */
export async function scopesOf(key) {
  const answers = await Promise.all(
    PROBES.map(async ([scope, , probe]) => {
      const res = await fetch(probe.path, { method: probe.method ?? "GET", headers: { authorization: `Bearer ${key}`, "content-type": "text/plain" } });
      return { scope, status: res.status };
    }),
  );
  if (answers.every((a) => a.status === 401)) return null;
  return answers.filter((a) => a.status !== 401 && a.status !== 403).map((a) => a.scope);
}

/** The prompt; `onKey` once a key the gateway accepts was entered. */
export function keyPrompt(main, { reason, onKey }) {
  const error = h("p", { class: "error", role: "alert" });
  const input = h("input", { id: "api-key", name: "api-key", type: "password", autocomplete: "off", spellcheck: "false", required: true });
  const form = h(
    "form",
    { class: "key-form" },
    h("label", { for: "api-key", text: "API key" }),
    input,
    h("p", { class: "muted small", text: "Kept for this browser tab only (sessionStorage) and sent only to this gateway." }),
    error,
    h("button", { type: "submit", class: "primary", text: "Use this key" }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) return;
    error.textContent = "";
    const scopes = await scopesOf(key).catch(() => undefined);
    if (scopes === undefined) error.textContent = "The gateway could not be reached.";
    else if (scopes === null) error.textContent = "The gateway does not accept this key.";
    else {
      apiKey.set(key);
      onKey(scopes);
    }
  });
  show(main, h("h1", { text: "API key needed" }), h("p", { text: reason }), form);
  input.focus();
}

/** The header's key line: which key (its public prefix), what it may do, and a way to forget it. */
export function keyStatus(el, { scopes, onForget }) {
  const key = apiKey.get();
  if (!key) return show(el);
  const allowed = PROBES.filter(([scope]) => scopes?.includes(scope)).map(([, what]) => what);
  show(
    el,
    h("span", { class: "mono", title: "The key's public prefix", text: `${key.slice(0, 18)}…` }),
    h("span", { class: "muted", "data-scopes": (scopes ?? []).join(" "), text: scopes ? ` may ${allowed.join(", ") || "do nothing here"}` : "" }),
    " ",
    h("button", { type: "button", class: "link", onclick: onForget, text: "Forget key" }),
  );
}
