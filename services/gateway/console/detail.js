// One request's page: status, timings, the agent runs in time, each output for a person,
// tokens and models, the webhook's attempts with a Retry button, and the raw events. The
// events come live from the request's SSE stream (read with fetch, so the API key goes in
// a header); the request and its webhook log are read again as the events say they changed.
import { call, followEvents } from "./api.js";
import { timelineChart } from "./chart.js";
import { outputCard, usageTable } from "./agent-results.js";
import { badge, formatMs, formatTime, h, show } from "./dom.js";
import { laterWhenVisible } from "./schedule.js";
import { layoutTimeline } from "./timeline.js";
import { webhookPanel } from "./webhook-panel.js";

const ENDED = new Set(["completed", "partial", "failed"]);

export function detailView(main, { params }) {
  const id = params.request_id.toLowerCase();
  const path = encodeURIComponent(id);
  const controller = new AbortController();
  const { signal } = controller;
  const events = [];
  let view = null;
  let streaming = true;
  let stopped = false;
  let viewTimer;
  let cancelWebhookRead = () => undefined;

  const heading = h("h1", {}, "Request ", h("span", { class: "mono", text: id }));
  const live = h("p", { class: "muted small", "aria-live": "polite", text: "Following the request's events…" });
  const summary = h("div", { class: "summary" });
  const timeline = h("div", { class: "timeline-box" });
  const outputs = h("div", { class: "outputs" });
  const usage = h("div", { class: "table-wrap" });
  const webhook = webhookPanel({ requestId: id, signal, onRetried: () => loadView() });
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
    h("section", { "aria-labelledby": "h-webhook" }, h("h2", { id: "h-webhook", text: "Webhook" }), webhook.element),
    h("section", { "aria-labelledby": "h-events" }, h("h2", { id: "h-events", text: "Event history" }), eventsBox),
  );

  const submittedText = () => events.find((e) => e.type === "RequestAccepted")?.data?.text;

  async function loadView() {
    try {
      view = await call(`/api/v1/results/${path}`, { signal });
    } catch (err) {
      if (stopped) return;
      if (err.status === 404) return notFound();
      if (err.status === 410) return erased(err.message);
      live.textContent = `Could not read the request: ${err.message}`;
      return;
    }
    renderSummary();
    renderOutputs();
    renderUsage();
    if (ENDED.has(view.status)) await loadWebhook();
    else webhook.render(view, null);
  }

  /** The page says why there is nothing to show, and stops following. */
  function nothingToShow(title, ...why) {
    stopped = true;
    controller.abort();
    show(main, h("p", { class: "crumbs" }, h("a", { href: "/console", text: "← Requests" })), h("h1", { text: title }), h("p", {}, why));
  }

  const notFound = () => nothingToShow("No such request", "No request ", h("span", { class: "mono", text: id }), " is visible with this key.");
  /** An erased request (410 Gone): only a tombstone is left, and the API says when. */
  const erased = (message) => nothingToShow("Request erased", message);

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
    show(outputs, view.agents.map((agent) => outputCard(agent, view.results[agent], submittedText())));
  }

  function renderUsage() {
    show(usage, usageTable(view));
  }

  async function loadWebhook() {
    cancelWebhookRead();
    if (!view?.webhook) return webhook.render(view, null);
    let logs = null;
    try {
      logs = await call(`/api/v1/webhook-logs/${path}`, { signal });
    } catch (err) {
      if (stopped) return;
      live.textContent = `Could not read the webhook log: ${err.message}`;
    }
    webhook.render(view, logs);
    const wait = webhook.nextReadIn(view, logs);
    // Not read while the tab is hidden: it is read again as soon as the tab is shown.
    if (!stopped && wait !== null) cancelWebhookRead = laterWhenVisible(loadView, wait);
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
        if (err.status === 410) return erased(err.message);
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
      cancelWebhookRead();
      controller.abort();
    },
  };
}
