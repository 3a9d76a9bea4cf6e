// The API key, when the gateway requires one: asked for once per browser session, kept
// in sessionStorage (never a cookie, never the URL), and who it is: GET /api/v1/auth/key
// names the key's tenant and scopes, so nothing has to be tried to learn what it may do.
import { apiKey } from "./api.js";
import { h, show } from "./dom.js";

/** What each scope allows, in words, in the order the header lists them. */
const SCOPE_WORDS = [
  ["requests:read", "read requests"],
  ["requests:write", "submit"],
  ["requests:erase", "erase requests"],
  ["webhooks:write", "retry webhooks"],
  ["admin", "manage keys"],
];

/** The public part of a `chorus_sk_` key: as long as the prefix the admin API lists (auth/api-key.ts). */
const KEY_PREFIX_LENGTH = "chorus_sk_".length + 6;

/**
 * Who `key` is (the API's { tenant, key_id, scopes, rate_limit_per_minute, auth }), or null
 * when the gateway does not accept it (401). Throws when the gateway cannot be reached or
 * answers anything else, so a network error never counts as a wrong key.
 */
export async function identityOf(key) {
  const res = await fetch("/api/v1/auth/key", { headers: { accept: "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) } });
  if (res.status === 401) return null;
  if (!res.ok) throw new Error(`the gateway answered ${res.status}`);
  return res.json();
}

/**
 * How the header names a key without showing it: an API key by its public prefix. The
 * deployment's CHORUS_ADMIN_KEY (key id "bootstrap") is secret from its first character
 * whatever it looks like (npm start makes one shaped like an API key), so only a label.
 */
export function keyLabel(key, keyId) {
  if (keyId === "bootstrap") return "admin key";
  return key.startsWith("chorus_sk_") && key.length > KEY_PREFIX_LENGTH ? `${key.slice(0, KEY_PREFIX_LENGTH)}…` : "admin key";
}

/** The prompt; `onKey(identity)` once a key the gateway accepts was entered. */
export function keyPrompt(main, { reason, onKey }) {
  const error = h("p", { id: "api-key-error", class: "error", role: "alert" });
  // type=password keeps the key off the screen; autocomplete=off asks password managers
  // not to offer saving it (some do anyway: see README, "Web console").
  const input = h("input", { id: "api-key", name: "api-key", type: "password", autocomplete: "off", spellcheck: "false", required: true, "aria-describedby": "api-key-help api-key-error" });
  const form = h(
    "form",
    { class: "key-form" },
    h("label", { for: "api-key", text: "API key" }),
    input,
    h("p", { id: "api-key-help", class: "muted small", text: "Kept for this browser tab only (sessionStorage) and sent only to this gateway." }),
    error,
    h("button", { type: "submit", class: "primary", text: "Use this key" }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) return;
    error.textContent = "";
    const identity = await identityOf(key).catch(() => undefined);
    if (identity === undefined) error.textContent = "The gateway could not be reached.";
    else if (identity === null) error.textContent = "The gateway does not accept this key.";
    else {
      apiKey.set(key);
      onKey(identity);
    }
  });
  show(main, h("h1", { text: "API key needed" }), h("p", { text: reason }), form);
  input.focus();
}

/** The header's key line: which key (never its secret part), its tenant, what it may do, and a way to forget it. */
export function keyStatus(el, { identity, onForget }) {
  if (!identity) return show(el);
  const scopes = identity.scopes ?? [];
  const allowed = SCOPE_WORDS.filter(([scope]) => scopes.includes(scope)).map(([, what]) => what);
  const key = apiKey.get();
  if (identity.auth === "off") {
    return show(el, h("span", { class: "muted", "data-scopes": scopes.join(" "), "data-tenant": identity.tenant, text: `Open API (no key) · tenant ${identity.tenant}` }));
  }
  show(
    el,
    h("span", { class: "mono", title: "Which key (its public prefix)", text: key ? keyLabel(key, identity.key_id) : "" }),
    h("span", { class: "muted", "data-tenant": identity.tenant, text: ` · tenant ${identity.tenant}` }),
    h("span", { class: "muted", "data-scopes": scopes.join(" "), text: ` · may ${allowed.join(", ") || "do nothing here"}` }),
    " ",
    h("button", { type: "button", class: "link", onclick: onForget, text: "Forget key" }),
  );
}
