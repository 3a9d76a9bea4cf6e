// A request's webhook on its page: the delivery summary, every attempt (status code,
// error, time taken, next attempt) and a Retry button that asks the API for a manual
// redelivery. The log is read by the page; this draws it and says when to read it again.
import { call } from "./api.js";
import { badge, formatMs, formatTime, h, show } from "./dom.js";

const ENDED = new Set(["completed", "partial", "failed"]);
/** After a retry is taken, its attempts are looked for this long even if the status has not moved yet. */
const WATCH_AFTER_RETRY_MS = 30_000;

/** `onRetried`: reads the request and its log again after a retry was taken. */
export function webhookPanel({ requestId, signal, onRetried }) {
  const element = h("div", { class: "webhook" });
  let watchUntil = 0;

  const retryNote = h("p", { class: "small", role: "status" });

  async function retry(event) {
    const button = event.currentTarget;
    button.disabled = true;
    retryNote.textContent = "Asking for a redelivery…";
    try {
      await call(`/api/v1/webhook/retry/${requestId}`, { method: "POST", signal });
      retryNote.textContent = "Redelivery requested: its attempts appear below.";
      watchUntil = Date.now() + WATCH_AFTER_RETRY_MS;
      await onRetried();
    } catch (err) {
      retryNote.textContent = `Not retried: ${err.message} (${err.error}).`;
    } finally {
      button.disabled = false;
    }
  }

  let shown;

  /** Draws the request's webhook and its attempts (`logs` null: not read); again only when something changed, so a focused Retry button keeps its focus. */
  function render(view, logs) {
    const w = view?.webhook;
    const seen = JSON.stringify([w, logs, view?.status]);
    if (seen === shown) return;
    shown = seen;
    if (!w) return show(element, h("p", { class: "muted", text: "This request has no webhook." }));
    const attempts = logs?.attempts ?? [];
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
      ),
      h("div", { class: "actions" }, h("button", { type: "button", class: "retry", disabled: !ENDED.has(view.status), onclick: retry, text: "Retry delivery" }), retryNote),
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
    /** Whether attempts may still come: a delivery pending, or a retry asked for a moment ago. */
    watching: (view) => view?.webhook?.status === "pending" || Date.now() < watchUntil,
  };
}
