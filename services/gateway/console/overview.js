// The overview: what the public API tells about the last hour and the service now.
// Readiness and dependency checks from /readyz and /api/v1/health; submissions,
// outcomes, latency (accept to end) and webhook outcomes from the caller's own requests
// in GET /api/v1/results. Consumer lag and dead-lettered messages have no public API, so
// the page says where to find them instead of showing them. A hidden tab reads nothing.
import { call, health } from "./api.js";
import { barChart } from "./chart.js";
import { badge, formatMs, h, show } from "./dom.js";
import { laterWhenVisible } from "./schedule.js";
import { windowStats } from "./stats.js";

const REFRESH_MS = 10_000;
const PAGE_SIZE = 100;
/** At most this many pages of requests are read for the hour: the figures say when they stop short. */
const MAX_PAGES = 10;
const WINDOW_MS = 60 * 60_000;

/** The caller's requests of the last hour, newest first, and whether there were more than were read. */
async function lastHour(signal, now) {
  const items = [];
  for (let page = 1; page <= MAX_PAGES; page += 1) {
    const answer = await call(`/api/v1/results?page=${page}&page_size=${PAGE_SIZE}`, { signal });
    items.push(...answer.items);
    const oldest = answer.items.at(-1);
    if (!oldest || Date.parse(oldest.created_at) < now - WINDOW_MS || page * PAGE_SIZE >= answer.total) return { items, cut: false };
  }
  return { items, cut: true };
}

function checkList(checks) {
  return h(
    "ul",
    { class: "checks" },
    Object.entries(checks).map(([name, check]) =>
      h("li", {}, badge(check.ok ? "ok" : "down"), ` ${name}`, check.ms !== undefined ? h("span", { class: "muted", text: ` ${check.ms} ms` }) : null, check.provider ? h("span", { class: "muted", text: ` · ${check.provider}` }) : null, check.error ? h("span", { class: "error", text: ` ${check.error}` }) : null),
    ),
  );
}

export function overviewView(main) {
  const controller = new AbortController();
  let cancelNext = () => undefined;
  let stopped = false;
  const status = h("div", { class: "grid" });
  const hour = h("div", { class: "grid" });
  // Not a live region: when it was read changes on every read; the cards show failures.
  const note = h("p", { class: "muted small" });

  show(
    main,
    h("h1", { text: "Overview" }),
    h("section", { "aria-labelledby": "h-service" }, h("h2", { id: "h-service", text: "Service" }), status),
    h("section", { "aria-labelledby": "h-hour" }, h("h2", { id: "h-hour", text: "Your requests, last hour" }), hour),
    h(
      "section",
      { "aria-labelledby": "h-elsewhere" },
      h("h2", { id: "h-elsewhere", text: "Not shown here" }),
      h(
        "p",
        { class: "muted" },
        "Projection and consumer lag and dead-lettered messages have no public API: operators read them from /metrics (an admin key) and with ",
        h("code", { text: "npx chorus dlq list" }),
        ". The figures above count only the requests this key may read.",
      ),
    ),
    note,
  );

  async function readyCard() {
    const res = await fetch("/readyz", { signal: controller.signal });
    const body = await res.json();
    return h("article", { class: "card" }, h("h3", {}, "Readiness ", badge(body.status === "ready" ? "ok" : "down")), checkList(body.checks ?? {}), body.details?.event_store?.full ? h("p", { class: "error", text: "The event store refused a write for want of space." }) : null);
  }

  async function healthCard() {
    const { body } = await health();
    return h("article", { class: "card" }, h("h3", {}, "Health ", badge(body.status === "healthy" ? "ok" : "down")), checkList(body.checks ?? {}), h("p", { class: "muted small", text: `API keys: ${body.auth}` }));
  }

  function hourCards({ items, cut }, now) {
    const stats = windowStats(items, now);
    const ended = stats.outcomes.completed + stats.outcomes.partial + stats.outcomes.failed;
    const hooks = stats.webhooks;
    const hookEnded = hooks.delivered + hooks.failed + hooks.exhausted;
    return [
      h(
        "article",
        { class: "card wide" },
        h("h3", { text: `Submitted: ${stats.total}${cut ? "+" : ""}` }),
        barChart({
          title: "Requests per 5 minutes by outcome",
          buckets: stats.buckets,
          series: [
            { key: "completed", label: "completed" },
            { key: "partial", label: "partial" },
            { key: "failed", label: "failed" },
            { key: "unfinished", label: "unfinished" },
          ],
        }),
        h("p", { class: "legend-line small" }, ["completed", "partial", "failed", "unfinished"].map((k) => h("span", {}, h("span", { class: ["swatch", `series-${k}`] }), ` ${k} ${stats.outcomes[k]} `))),
        cut ? h("p", { class: "muted small", text: `Only the newest ${MAX_PAGES * PAGE_SIZE} requests were read.` }) : null,
      ),
      h(
        "article",
        { class: "card wide" },
        h("h3", { text: "Latency, accept to end" }),
        h("p", { text: `p50 ${formatMs(stats.latency.p50)} · p95 ${formatMs(stats.latency.p95)} · p99 ${formatMs(stats.latency.p99)} over ${stats.latency.count} ended` }),
        barChart({ title: "p95 latency per 5 minutes", buckets: stats.buckets, series: [{ key: "p95", label: "ms (p95)" }], format: formatMs }),
      ),
      h(
        "article",
        { class: "card" },
        h("h3", { text: "Failures" }),
        h("p", { class: "big", text: ended ? `${Math.round(((stats.outcomes.failed + stats.outcomes.partial) / ended) * 100)}%` : "—" }),
        h("p", { class: "muted small", text: `${stats.outcomes.failed} failed, ${stats.outcomes.partial} partial of ${ended} ended` }),
      ),
      h(
        "article",
        { class: "card" },
        h("h3", { text: "Webhook success" }),
        h("p", { class: "big", text: hookEnded ? `${Math.round((hooks.delivered / hookEnded) * 100)}%` : "—" }),
        h("p", { class: "muted small", text: `${hooks.delivered} delivered, ${hooks.pending} pending, ${hooks.failed} failed, ${hooks.exhausted} exhausted` }),
      ),
    ];
  }

  async function refresh() {
    const now = Date.now();
    const [ready, healthy, requests] = await Promise.allSettled([readyCard(), healthCard(), lastHour(controller.signal, now)]);
    if (stopped) return;
    const failed = (what, r) => h("article", { class: "card" }, h("h3", { text: what }), h("p", { class: "error", text: r.reason?.message ?? "could not be read" }));
    show(status, ready.status === "fulfilled" ? ready.value : failed("Readiness", ready), healthy.status === "fulfilled" ? healthy.value : failed("Health", healthy));
    show(hour, requests.status === "fulfilled" ? hourCards(requests.value, now) : failed("Requests", requests));
    note.textContent = `Read at ${new Date(now).toLocaleTimeString()}; read again every ${REFRESH_MS / 1000} s.`;
    cancelNext = laterWhenVisible(refresh, REFRESH_MS);
  }
  refresh();

  return {
    stop() {
      stopped = true;
      cancelNext();
      controller.abort();
    },
  };
}
