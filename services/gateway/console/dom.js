// Building the page from plain DOM calls: no innerHTML anywhere, so text from a request
// (its text, an agent's output, an error) is always shown as text, never run.

/** An element: `attrs` are attributes, except `text`, `class` and `on*` (listeners); children may be nested arrays, strings or null. */
export function h(tag, attrs = {}, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element, as h(). */
export function svg(tag, attrs = {}, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

function fill(el, attrs, children) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") el.textContent = String(value);
    else if (name === "class") el.setAttribute("class", Array.isArray(value) ? value.filter(Boolean).join(" ") : value);
    else if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(typeof child === "string" || typeof child === "number" ? String(child) : child);
  }
  return el;
}

/** Replaces what `el` holds. */
export function show(el, ...children) {
  el.replaceChildren();
  return fill(el, {}, children);
}

/** 1234 → "1.23 s", 87 → "87 ms". */
export function formatMs(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A timestamp in the reader's locale, with seconds. */
export function formatTime(iso) {
  if (!iso) return "—";
  return new Date(iso).toLocaleString(undefined, { dateStyle: "short", timeStyle: "medium" });
}

/** A status as a coloured badge (the colour is also said in words). */
export function badge(status) {
  return h("span", { class: ["badge", `badge-${status}`], text: status });
}

/**
 * Runs `draw`, which replaces elements inside `within`, and gives the focus back to the
 * equivalent element (the same `data-focus-key`) if it was on one there: replacing a
 * focused element would otherwise drop a keyboard user's focus to <body>.
 */
export function keepingFocus(within, draw) {
  const active = document.activeElement;
  const key = active && within.contains(active) ? active.closest("[data-focus-key]")?.getAttribute("data-focus-key") : null;
  draw();
  if (key === null || key === undefined || within.contains(document.activeElement)) return;
  for (const el of within.querySelectorAll("[data-focus-key]")) if (el.getAttribute("data-focus-key") === key) return el.focus();
}

/** Sets a live region's text only when it changes, so the same news is not announced again on every read. */
export function say(el, text) {
  if (el.textContent !== text) el.textContent = text;
}
