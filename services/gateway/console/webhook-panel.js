// A request's webhook on its page: the delivery summary, the endpoint's latest circuit
// change, every attempt (status code, error, time taken, next attempt) and a Retry button
// that asks the API for a manual redelivery. The log is read by the page; this draws it
// and says when to read it again (webhook-timing.js).
import { call } from "./api.js";
import { badge, formatMs, formatTime, h, keepingFocus, show } from "./dom.js";
import { latestCircuit, readAgainIn } from "./webhook-timing.js";

const ENDED = new Set(["completed", "partial", "failed"]);
/** After a retry is taken, its attempts are looked for this long even if the status has not moved yet. */
const WATCH_AFTER_RETRY_MS = 30_000;

/** In words, for the Circuit line: "open, next probe at …". */
function circuitText(change) {
  if (change.state === "open") return `open since ${formatTime(change.changed_at)}${change.next_probe_at ? `, next probe at ${formatTime(change.next_probe_at)}` : ""}`;
  if (change.state === "half_open") return `half open since ${formatTime(change.changed_at)}: one probe is out`;
  return `closed since ${formatTime(change.changed_at)}`;
}

/** `onRetried`: reads the request and its log again after a retry was taken. */
export function webhookPanel({ requestId, signal, onRetried }) {
  const element = h("div", { class: "webhook" });
  let watchUntil = 0;
  let retrying = false;

  const retryNote = h("p", { class: "small", role: "status" });

  // Marked aria-disabled rather than disabled while asking: a disabled button loses the
  // keyboard focus, and the panel is drawn again (focus kept) once the retry is taken.
  async function retry(event) {
    if (retrying) return;
    retrying = true;
    event.currentTarget.setAttribute("aria-disabled", "true");
    retryNote.textContent = "Asking for a redelivery…";
    try {
      await call(`/api/v1/webhook/retry/${encodeURIComponent(requestId)}`, { method: "POST", signal });
      retryNote.textContent = "Redelivery requested: its attempts appear below.";
      watchUntil = Date.now() + WATCH_AFTER_RETRY_MS;
      await onRetried();
    } catch (err) {
      retryNote.textContent = `Not retried: ${err.message} (${err.error}).`;
    } finally {
      retrying = false;
      element.querySelector("button.retry")?.removeAttribute("aria-disabled");
    }
  }

  let shown;

  /** Draws the request's webhook and its attempts (`logs` null: not read); again only when something changed, so a focused Retry button keeps its focus. */
  function render(view, logs) {
    const w = view?.webhook;
    const seen = JSON.stringify([w, logs, view?.status]);
    if (seen === shown) return;
    shown = seen;
    keepingFocus(element, () => draw(view, logs));
  }

  function draw(view, logs) {
    const w = view?.webhook;
    if (!w) return show(element, h("p", { class: "muted", text: "This request has no webhook." }));
    const attempts = logs?.attempts ?? [];
    const circuit = latestCircuit(logs);
    show(
      element,
      h(
        "dl",
        { class: "facts" },
        h("div", {}, h("dt", { text: "URL" }), h("dd", { class: "mono wrap", text: w.url })),
        h("div", {}, h("dt", { text: "Status" }), h("dd", {}, badge(w.status))),
        h("div", {}, h("dt", { text: "Attempts" }), h("dd", { text: String(w.attempts) })),
        h("div", {}, h("dt", { text: "Last answer" }), h("dd", { text: w.last_status_code === null ? "—" : String(w.last_status_code) })),
        h("div", {}, h("dt", { text: "Delivered" }), h("dd", { text: formatTime(w.delivered_at) })),
        circuit
          ? h("div", { "data-circuit": circuit.state }, h("dt", { text: "Circuit" }), h("dd", {}, h("span", { class: "mono", text: circuit.endpoint }), ` ${circuitText(circuit)}`))
          : null,
      ),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", class: "retry", disabled: !ENDED.has(view.status), "aria-disabled": retrying ? "true" : undefined, "data-focus-key": "retry", onclick: retry, text: "Retry delivery" }),
        retryNote,
      ),
      attempts.length === 0
        ? h("p", { class: "muted", text: ENDED.has(view.status) ? "No attempt logged yet." : "Sent when the request ends." })
        : h(
            "div",
            { class: "table-wrap" },
            h(
              "table",
              { class: "attempts" },
              h("thead", {}, h("tr", {}, ["#", "When", "Answer", "Took", "Error", "Next attempt"].map((c) => h("th", { scope: "col", text: c })))),
              h(
                "tbody",
                {},
                attempts.map((a) =>
                  h(
                    "tr",
                    { class: a.status_code !== null && a.status_code >= 200 && a.status_code < 300 ? "ok" : "bad" },
                    h("td", { class: "num", text: String(a.attempt) }),
                    h("td", {}, h("time", { datetime: a.attempted_at, text: formatTime(a.attempted_at) })),
                    h("td", { class: "num", text: a.status_code === null ? "no answer" : String(a.status_code) }),
                    h("td", { class: "num", text: formatMs(a.duration_ms) }),
                    h("td", { class: "wrap", text: a.error ?? "" }),
                    h("td", { text: a.next_attempt_at ? formatTime(a.next_attempt_at) : "—" }),
                  ),
                ),
              ),
            ),
          ),
    );
  }

  return {
    element,
    render,
    /** When to read the log again, in ms, or null (see webhook-timing.js). */
    nextReadIn: (view, logs) => readAgainIn({ webhookStatus: view?.webhook?.status, watchUntil, circuit: latestCircuit(logs), now: Date.now() }),
  };
}
