// One request's page: status, timings, the agent runs in time, each output for a person,
// tokens and models, the webhook's attempts with a Retry button, and the raw events. The
// events come live from the request's SSE stream (read with fetch, so the API key goes in
// a header); the request and its webhook log are read again as the events say they changed.
import { call, followEvents } from "./api.js";
import { timelineChart } from "./chart.js";
import { badge, formatMs, formatTime, h, show } from "./dom.js";
import { entitySpans } from "./highlight.js";
import { layoutTimeline } from "./timeline.js";

const ENDED = new Set(["completed", "partial", "failed"]);
const WEBHOOK_POLL_MS = 2_000;

export function detailView(main, { params }) {
  const id = params.request_id.toLowerCase();
  const controller = new AbortController();
  const { signal } = controller;
  const events = [];
  let view = null;
  let streaming = true;
  let stopped = false;
  let viewTimer;
  let webhookTimer;
  let watchWebhookUntil = 0;

  const heading = h("h1", {}, "Request ", h("span", { class: "mono", text: id }));
  const live = h("p", { class: "muted small", "aria-live": "polite", text: "Following the request's events…" });
  const summary = h("div", { class: "summary" });
  const timeline = h("div", { class: "timeline-box" });
  const outputs = h("div", { class: "outputs" });
  const usage = h("div", { class: "table-wrap" });
  const webhook = h("div", { class: "webhook" });
  const eventsBox = h("div", { class: "events" });

  show(
    main,
    h("p", { class: "crumbs" }, h("a", { href: "/console", text: "← Requests" })),
    heading,
    live,
    summary,
    h("section", { "aria-labelledby": "h-timeline" }, h("h2", { id: "h-timeline", text: "Timeline" }), timeline),
    h("section", { "aria-labelledby": "h-outputs" }, h("h2", { id: "h-outputs", text: "Outputs" }), outputs),
    h("section", { "aria-labelledby": "h-usage" }, h("h2", { id: "h-usage", text: "Tokens and models" }), usage),
    h("section", { "aria-labelledby": "h-webhook" }, h("h2", { id: "h-webhook", text: "Webhook" }), webhook),
    h("section", { "aria-labelledby": "h-events" }, h("h2", { id: "h-events", text: "Event history" }), eventsBox),
  );

  const submittedText = () => events.find((e) => e.type === "RequestAccepted")?.data?.text;

  async function loadView() {
    try {
      view = await call(`/api/v1/results/${id}`, { signal });
    } catch (err) {
      if (stopped) return;
      if (err.status === 404) return notFound();
      live.textContent = `Could not read the request: ${err.message}`;
      return;
    }
    renderSummary();
    renderOutputs();
    renderUsage();
    if (ENDED.has(view.status)) await loadWebhook();
    else renderWebhook(null);
  }

  function notFound() {
    stopped = true;
    controller.abort();
    show(main, h("p", { class: "crumbs" }, h("a", { href: "/console", text: "← Requests" })), h("h1", { text: "No such request" }), h("p", {}, "No request ", h("span", { class: "mono", text: id }), " is visible with this key."));
  }

  /** Reads the request again soon: several events in a row make one read. */
  function viewChanged() {
    clearTimeout(viewTimer);
    viewTimer = setTimeout(loadView, 250);
  }

  function renderSummary() {
    const took = view.completed_at ? Date.parse(view.completed_at) - Date.parse(view.created_at) : null;
    const item = (term, ...value) => h("div", {}, h("dt", { text: term }), h("dd", {}, value));
    show(
      summary,
      h(
        "dl",
        { class: "facts" },
        item("Status", badge(view.status)),
        item("Mode", view.orchestration_mode),
        item("Agents", view.agents.join(", ")),
        item("Created", h("time", { datetime: view.created_at, text: formatTime(view.created_at) })),
        item("Ended", view.completed_at ? h("time", { datetime: view.completed_at, text: formatTime(view.completed_at) }) : "—"),
        item("Took", formatMs(took)),
        item("Tokens", view.usage_total ? String(view.usage_total.total_tokens) : "—"),
      ),
      view.projection_error ? h("p", { class: "error", text: `Stored with a change: ${view.projection_error}` }) : null,
    );
  }

  function renderTimeline() {
    const layout = layoutTimeline(events, Date.now());
    if (layout.rows.length === 0) return show(timeline, h("p", { class: "muted", text: "No agent has been dispatched yet." }));
    show(
      timeline,
      timelineChart(layout),
      h("p", { class: "muted small", text: `${layout.overlapping ? "Agents ran at the same time" : "Agents ran one after another"}; thin line: dispatched and waiting, bar: running. Over ${formatMs(layout.spanMs)}.` }),
    );
  }

  function renderOutputs() {
    show(outputs, view.agents.map((agent) => outputCard(agent, view.results[agent])));
  }

  function outputCard(agent, result) {
    const body = !result || result.status === "pending" || result.status === "running" ? h("p", { class: "muted", text: result?.status === "running" ? "Running…" : "Waiting…" })
      : result.status === "failed" ? h("p", { class: "error" }, h("strong", { text: result.error?.code ?? "failed" }), `: ${result.error?.message ?? ""}`)
      : agent === "summarizer" ? summaryOutput(result.output)
      : agent === "sentiment" ? sentimentOutput(result.output)
      : agent === "entity_extractor" ? entitiesOutput(result.output)
      : h("pre", { text: JSON.stringify(result.output, null, 2) });
    return h("article", { class: "card", "data-agent": agent }, h("h3", {}, agent, " ", badge(result?.status ?? "pending")), body);
  }

  function summaryOutput(output) {
    return [h("p", { class: "summary-text", text: output.summary }), output.key_points.length ? h("ul", { class: "key-points" }, output.key_points.map((p) => h("li", { text: p }))) : null];
  }

  function sentimentOutput(output) {
    const score = output.score.toFixed(2);
    return h(
      "div",
      { class: "sentiment" },
      h("span", { class: ["badge", `sentiment-${output.label}`], text: output.label }),
      h("label", { class: "score" }, `Score ${score} `, h("meter", { min: -1, max: 1, low: -0.2, high: 0.2, optimum: 1, value: output.score, text: score })),
      h("span", { class: "muted", text: `confidence ${Math.round(output.confidence * 100)}%` }),
    );
  }

  function entitiesOutput(output) {
    const text = submittedText();
    const counts = new Map();
    for (const e of output.entities) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
    const legend = h("ul", { class: "legend" }, [...counts].map(([type, n]) => h("li", {}, h("span", { class: ["entity-swatch", `entity-${type}`] }), `${type} ${n}`)));
    if (output.entities.length === 0) return h("p", { class: "muted", text: "No entities found." });
    if (typeof text !== "string") {
      return [legend, h("ul", {}, output.entities.map((e) => h("li", {}, h("mark", { class: ["entity", `entity-${e.type}`], "data-type": e.type, text: e.text }), ` ${e.type}`)))];
    }
    const { segments, unplaced } = entitySpans(text, output.entities);
    return [
      legend,
      h(
        "p",
        { class: "highlighted" },
        segments.map((s) => (s.entity ? h("mark", { class: ["entity", `entity-${s.entity.type}`], "data-type": s.entity.type, title: s.entity.type }, s.text, h("span", { class: "entity-type", text: s.entity.type })) : s.text)),
      ),
      unplaced > 0 ? h("p", { class: "muted small", text: `${unplaced} entit${unplaced === 1 ? "y" : "ies"} could not be placed in the text.` }) : null,
    ];
  }

  function renderUsage() {
    const rows = view.agents.map((agent) => {
      const r = view.results[agent];
      return h(
        "tr",
        {},
        h("th", { scope: "row", text: agent }),
        h("td", {}, badge(r?.status ?? "pending")),
        h("td", { text: r?.provider ?? "—" }),
        h("td", { text: r?.model ?? "—" }),
        h("td", { class: "num", text: formatMs(r?.duration_ms) }),
        h("td", { class: "num", text: r?.usage ? String(r.usage.prompt_tokens) : "—" }),
        h("td", { class: "num", text: r?.usage ? String(r.usage.completion_tokens) : "—" }),
        h("td", { class: "num", text: r?.usage ? String(r.usage.total_tokens) : "—" }),
      );
    });
    const t = view.usage_total;
    show(
      usage,
      h(
        "table",
        {},
        h("thead", {}, h("tr", {}, ["Agent", "Status", "Provider", "Model", "Took", "Prompt", "Completion", "Total"].map((c) => h("th", { scope: "col", text: c })))),
        h("tbody", {}, rows),
        h("tfoot", {}, h("tr", {}, h("th", { scope: "row", colspan: 5, text: "All agents" }), h("td", { class: "num", text: t ? String(t.prompt_tokens) : "—" }), h("td", { class: "num", text: t ? String(t.completion_tokens) : "—" }), h("td", { class: "num", text: t ? String(t.total_tokens) : "—" }))),
      ),
      t ? null : h("p", { class: "muted small", text: "No agent reported token usage (the offline provider reports none)." }),
    );
  }

  async function loadWebhook() {
    clearTimeout(webhookTimer);
    if (!view?.webhook) return renderWebhook(null);
    let logs = null;
    try {
      logs = await call(`/api/v1/webhook-logs/${id}`, { signal });
    } catch (err) {
      if (stopped) return;
      live.textContent = `Could not read the webhook log: ${err.message}`;
    }
    renderWebhook(logs);
    // Attempts keep coming while a delivery is pending (and for a while after a retry was asked for).
    if (!stopped && (view.webhook.status === "pending" || Date.now() < watchWebhookUntil)) {
      webhookTimer = setTimeout(async () => {
        await loadView();
      }, WEBHOOK_POLL_MS);
    }
  }

  const retryNote = h("p", { class: "small", role: "status" });

  async function retry(event) {
    const button = event.currentTarget;
    button.disabled = true;
    retryNote.textContent = "Asking for a redelivery…";
    try {
      await call(`/api/v1/webhook/retry/${id}`, { method: "POST", signal });
      retryNote.textContent = "Redelivery requested: its attempts appear below.";
      watchWebhookUntil = Date.now() + 30_000;
      await loadView();
    } catch (err) {
      retryNote.textContent = `Not retried: ${err.message} (${err.error}).`;
    } finally {
      button.disabled = false;
    }
  }

  let webhookShown;

  function renderWebhook(logs) {
    const w = view?.webhook;
    // Drawn again only when something changed, so a focused Retry button keeps its focus.
    const seen = JSON.stringify([w, logs, view?.status]);
    if (seen === webhookShown) return;
    webhookShown = seen;
    if (!w) return show(webhook, h("p", { class: "muted", text: "This request has no webhook." }));
    const attempts = logs?.attempts ?? [];
    show(
      webhook,
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

  const eventCount = h("p", { class: "muted small" });
  const eventList = h("ol", { class: "event-list" });
  show(eventsBox, eventCount, eventList);

  /** Appends the events not shown yet: the ones shown stay as they are, open or closed, focused or not. */
  function renderEvents() {
    const start = Date.parse(events[0].occurred_at);
    for (const e of events.slice(eventList.children.length)) {
      eventList.append(
        h(
          "li",
          {},
          h(
            "details",
            {},
            h("summary", {}, h("span", { class: "event-type", text: e.type }), e.data?.agent ? ` ${e.data.agent}` : "", h("span", { class: "muted", text: ` +${formatMs(Date.parse(e.occurred_at) - start)}` })),
            h("pre", { class: "json", tabindex: 0, text: JSON.stringify(e, null, 2) }),
          ),
        ),
      );
    }
    eventCount.textContent = `${events.length} event${events.length === 1 ? "" : "s"}, as recorded; open one to see it whole.`;
  }

  /**
   * Follows the stream until the request's end event. A stream that breaks or ends before
   * it (a gateway restarting, a network change) is taken up again after the last event
   * seen (Last-Event-ID), a few times, waiting a little longer each time.
   */
  async function follow() {
    let lastId;
    let failures = 0;
    const sawEnd = () => events.some((e) => e.type === "RequestCompleted" || e.type === "RequestFailed");
    while (!stopped) {
      try {
        await followEvents(id, {
          signal,
          lastEventId: lastId,
          onEvent: ({ id: seq, event }) => {
            lastId = seq ?? lastId;
            failures = 0;
            events.push(event);
            renderEvents();
            renderTimeline();
            // The text arrives with the first event: outputs drawn before it are drawn again, highlighted.
            if (event.type === "RequestAccepted" && view) renderOutputs();
            if (event.type !== "AgentDispatched") viewChanged();
          },
        });
        if (sawEnd()) break;
        failures += 1;
      } catch (err) {
        if (stopped || err.name === "AbortError") return;
        if (err.status === 404) return notFound();
        if (err.status === 401 || err.status === 403 || failures >= 5) {
          streaming = false;
          live.textContent = `The live stream stopped: ${err.message}. Reload to follow again.`;
          return;
        }
        failures += 1;
      }
      if (failures > 5) break;
      live.textContent = "The live stream was cut; following again…";
      await new Promise((resolve) => setTimeout(resolve, 1_000 * failures));
    }
    streaming = false;
    if (stopped) return;
    live.textContent = sawEnd() ? "The request has ended; every event is below." : "The live stream stopped before the request ended. Reload to follow again.";
    renderTimeline();
    viewChanged();
  }

  // The page before the first event: the request as the API reads it now.
  loadView();
  renderTimeline();
  const ticker = setInterval(() => streaming && renderTimeline(), 1_000);
  follow();
  return {
    stop() {
      stopped = true;
      clearInterval(ticker);
      clearTimeout(viewTimer);
      clearTimeout(webhookTimer);
      controller.abort();
    },
  };
}
