// The submit form: text, mode, agents and an optional webhook, sent as POST
// /api/v1/process with `Prefer: respond-async` (answered at once), then the new request's
// live page. The API's validation answers are shown below the form, each linked to its
// field (aria-describedby, aria-invalid), so a screen reader reads it on the field.
import { call } from "./api.js";
import { h, show } from "./dom.js";

const AGENTS = [
  ["summarizer", "Summarizer: a summary and key points"],
  ["sentiment", "Sentiment: a label and a score"],
  ["entity_extractor", "Entity extractor: people, organizations, places, dates, money"],
];
const EXAMPLE = "Apple opened a new office in Berlin on Monday, and Tim Cook said the $2 billion plan would create 500 jobs by 2027.";

export function submitView(main, { navigate }) {
  const controller = new AbortController();
  const problems = h("div", { class: "error", role: "alert" });
  const form = h(
    "form",
    { class: "submit-form", novalidate: true },
    h("label", { for: "text" }, "Text"),
    h("textarea", { id: "text", name: "text", rows: 7, required: true, placeholder: EXAMPLE }),
    h(
      "fieldset",
      {},
      h("legend", { text: "Mode" }),
      h("label", { class: "inline" }, h("input", { type: "radio", name: "orchestration_mode", value: "parallel", checked: true }), " parallel: every agent at once"),
      h("label", { class: "inline" }, h("input", { type: "radio", name: "orchestration_mode", value: "sequential" }), " sequential: one after another, each seeing the earlier outputs"),
    ),
    h(
      "fieldset",
      {},
      h("legend", { text: "Agents" }),
      AGENTS.map(([value, label]) => h("label", { class: "inline" }, h("input", { type: "checkbox", name: "agents", value, checked: true }), ` ${label}`)),
    ),
    h(
      "details",
      {},
      h("summary", { text: "Webhook (optional)" }),
      h("label", { for: "webhook_url" }, "URL the result is POSTed to"),
      h("input", { id: "webhook_url", name: "webhook_url", type: "url", placeholder: "https://example.com/hooks/chorus", autocomplete: "off" }),
      h("label", { for: "webhook_secret" }, "Secret it is signed with (16 characters or more)"),
      h("input", { id: "webhook_secret", name: "webhook_secret", type: "password", autocomplete: "off" }),
    ),
    problems,
    h("button", { type: "submit", class: "primary", text: "Submit" }),
  );

  /** The form's controls a validation detail names (`webhook_url`, `agents.1`: the agents). */
  const controlsOf = (field) => {
    const found = form.elements.namedItem(String(field).split(/[.[]/)[0]);
    if (!found) return [];
    // One control is an element; a name several share (radios, checkboxes) is a list of them.
    return found.tagName ? [found] : [...found];
  };
  const unlink = () => {
    for (const el of form.querySelectorAll("[aria-invalid]")) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
    }
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = {
      text: String(data.get("text") ?? ""),
      orchestration_mode: String(data.get("orchestration_mode") ?? "parallel"),
      agents: data.getAll("agents").map(String),
    };
    const url = String(data.get("webhook_url") ?? "").trim();
    if (url) {
      body.webhook_url = url;
      body.webhook_secret = String(data.get("webhook_secret") ?? "");
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    problems.replaceChildren();
    unlink();
    try {
      const accepted = await call("/api/v1/process", { method: "POST", body, headers: { prefer: "respond-async" }, signal: controller.signal });
      navigate(`/console/requests/${encodeURIComponent(accepted.request_id)}`);
    } catch (err) {
      if (err.name === "AbortError") return;
      const details = (err.details ?? []).map((d, i) => ({ ...d, id: `problem-${i}` }));
      show(problems, h("p", { text: `Not submitted: ${err.message}` }), details.length ? h("ul", {}, details.map((d) => h("li", { id: d.id, text: `${d.field}: ${d.message}` }))) : null);
      for (const d of details) {
        for (const control of controlsOf(d.field)) {
          control.setAttribute("aria-invalid", "true");
          control.setAttribute("aria-describedby", [control.getAttribute("aria-describedby"), d.id].filter(Boolean).join(" "));
        }
      }
      button.disabled = false;
    }
  });

  show(main, h("h1", { text: "Submit text" }), form);
  form.querySelector("textarea").focus();
  return { stop: () => controller.abort() };
}
