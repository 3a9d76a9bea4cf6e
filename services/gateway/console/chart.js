// Small charts: the marks are SVG stretched to their box (viewBox in percent, no aspect
// kept), the words are HTML beside them, so labels stay readable from a phone to a wide
// screen. Colours come from the stylesheet's classes (light and dark); no inline styles.
import { formatMs, h, svg } from "./dom.js";

const clock = (ms) => new Date(ms).toLocaleTimeString(undefined, { timeStyle: "short" });

/**
 * Stacked bars, one per bucket; `series` are [{ key, label }] drawn bottom-up with class
 * `series-{key}`. `format` labels the scale. Each bar has a <title>; the chart a label.
 */
export function barChart({ title, buckets, series, format = String }) {
  const totals = buckets.map((b) => series.reduce((n, s) => n + (b[s.key] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const slot = 100 / Math.max(1, buckets.length);
  const bars = buckets.flatMap((bucket, i) => {
    let y = 100;
    return series.map((s) => {
      const value = bucket[s.key] ?? 0;
      const height = (value / max) * 100;
      y -= height;
      return value > 0
        ? svg("rect", { class: `series-${s.key}`, x: (i * slot + slot * 0.15).toFixed(2), y: y.toFixed(2), width: (slot * 0.7).toFixed(2), height: height.toFixed(2) }, svg("title", { text: `${clock(bucket.from)}: ${s.key === "p95" ? format(value) : value} ${s.label}` }))
        : null;
    });
  });
  const first = buckets[0];
  const last = buckets.at(-1);
  return h(
    "figure",
    { class: "chart" },
    h("div", { class: "chart-scale", "aria-hidden": "true" }, h("span", { text: format(max) }), h("span", { text: format(0) })),
    svg("svg", { class: "chart-plot", viewBox: "0 0 100 100", preserveAspectRatio: "none", role: "img", "aria-label": title }, svg("title", { text: title }), bars),
    first && last ? h("div", { class: "chart-times", "aria-hidden": "true" }, h("span", { text: clock(first.from) }), h("span", { text: "now" })) : null,
    h("figcaption", { class: "visually-hidden", text: title }),
  );
}

/** The agent runs of layoutTimeline(): a lane each, waiting (dispatched → started) thin, running thick. */
export function timelineChart(timeline) {
  const lanes = timeline.rows.map((row) => {
    const width = (s) => Math.max(0.6, (s.to - s.from) * 100).toFixed(2);
    const what = `${row.agent}: ${row.status}${row.durationMs !== null ? `, ran ${formatMs(row.durationMs)}` : ""}`;
    return h(
      "li",
      { class: ["lane", `lane-${row.status}`], "data-agent": row.agent, "data-status": row.status },
      h("span", { class: "lane-label mono", text: row.agent }),
      svg(
        "svg",
        { class: "lane-track", viewBox: "0 0 100 10", preserveAspectRatio: "none", role: "img", "aria-label": what },
        row.waiting ? svg("rect", { class: "waiting", x: (row.waiting.from * 100).toFixed(2), y: 4, width: width(row.waiting), height: 2 }) : null,
        row.running ? svg("rect", { class: "running", x: (row.running.from * 100).toFixed(2), y: 0.5, width: width(row.running), height: 9, "data-from": row.running.from.toFixed(4), "data-to": row.running.to.toFixed(4) }) : null,
      ),
      h("span", { class: "lane-time", text: row.durationMs !== null ? formatMs(row.durationMs) : row.status }),
    );
  });
  return h(
    "figure",
    { class: "timeline", "data-overlapping": String(timeline.overlapping) },
    h("ol", { class: "lanes" }, lanes),
    h("div", { class: "lane-axis", "aria-hidden": "true" }, h("span"), h("span", { class: "axis-span" }, h("span", { text: "0" }), h("span", { text: formatMs(timeline.spanMs) })), h("span")),
  );
}
