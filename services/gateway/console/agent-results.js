// An agent's results as a person reads them: the summary and key points, the sentiment
// with its score, the entities highlighted in the submitted text with their types, an
// error's code and message; and the provider, model, time and tokens of each agent.
import { badge, formatMs, h } from "./dom.js";
import { entitySpans } from "./highlight.js";

/** One agent's card: its status and its output as a person reads it (or its error). `text`: the submitted text, if known yet. */
export function outputCard(agent, result, text) {
  const body = !result || result.status === "pending" || result.status === "running" ? h("p", { class: "muted", text: result?.status === "running" ? "Running…" : "Waiting…" })
    : result.status === "failed" ? h("p", { class: "error" }, h("strong", { text: result.error?.code ?? "failed" }), `: ${result.error?.message ?? ""}`)
    : agent === "summarizer" ? summaryOutput(result.output)
    : agent === "sentiment" ? sentimentOutput(result.output)
    : agent === "entity_extractor" ? entitiesOutput(result.output, text)
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

/** The entities highlighted in the text with their types, a legend of the types; a plain list while the text is unknown. */
function entitiesOutput(output, text) {
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

/** Provider, model, time and tokens per agent, and the tokens of all together. */
export function usageTable(view) {
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
  return [
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, ["Agent", "Status", "Provider", "Model", "Took", "Prompt", "Completion", "Total"].map((c) => h("th", { scope: "col", text: c })))),
      h("tbody", {}, rows),
      h("tfoot", {}, h("tr", {}, h("th", { scope: "row", colspan: 5, text: "All agents" }), h("td", { class: "num", text: t ? String(t.prompt_tokens) : "—" }), h("td", { class: "num", text: t ? String(t.completion_tokens) : "—" }), h("td", { class: "num", text: t ? String(t.total_tokens) : "—" }))),
    ),
    t ? null : h("p", { class: "muted small", text: "No agent reported token usage (the offline provider reports none)." }),
  ];
}

