// The requests table: the caller's requests newest first, filtered on the server (status,
// mode, agent), paged, and kept live by reading the page again every few seconds (the
// API has no stream of all requests; each request has its own, used on its page).
// The filters and page live in the URL, so a filtered view is a link too. A hidden tab
// reads nothing; a redraw keeps the keyboard focus on the same row's link.
import { call } from "./api.js";
import { badge, formatMs, formatTime, h, keepingFocus, say, show } from "./dom.js";
import { laterWhenVisible } from "./schedule.js";

const STATUSES = ["pending", "processing", "completed", "partial", "failed"];
const MODES = ["parallel", "sequential"];
const AGENTS = ["summarizer", "sentiment", "entity_extractor"];
const DEFAULT_PAGE_SIZE = 20;
const REFRESH_MS = 3_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function filtersOf(search) {
  const q = new URLSearchParams(search);
  const whole = (name, fallback, max) => {
    const n = Number.parseInt(q.get(name) ?? "", 10);
    return Number.isInteger(n) && n >= 1 && n <= max ? n : fallback;
  };
  const pick = (name, allowed) => (allowed.includes(q.get(name)) ? q.get(name) : "");
  return {
    status: pick("status", STATUSES),
    orchestration_mode: pick("orchestration_mode", MODES),
    agent: pick("agent", AGENTS),
    page: whole("page", 1, Number.MAX_SAFE_INTEGER),
    page_size: whole("page_size", DEFAULT_PAGE_SIZE, 100),
  };
}

/** The filters as a query string, leaving out what is the default. */
function queryOf(filters) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v && !(k === "page" && v === 1) && !(k === "page_size" && v === DEFAULT_PAGE_SIZE)) q.set(k, String(v));
  return q.toString();
}

function select(name, label, options, value, onChange) {
  const id = `filter-${name}`;
  return h(
    "label",
    { for: id },
    label,
    h("select", { id, name, onchange: onChange }, h("option", { value: "", text: "any" }), options.map((o) => h("option", { value: o, selected: o === value, text: o }))),
  );
}

export function requestsView(main, { navigate }) {
  let filters = filtersOf(location.search);
  let cancelNext = () => undefined;
  let stopped = false;
  let shown = "";
  // Only the newest read draws and schedules the next: a filter change while one is under way wins.
  let generation = 0;
  const controller = new AbortController();

  const table = h("div", { class: "table-wrap" });
  const pager = h("nav", { class: "pager", "aria-label": "Pages" });
  // When it was read is not announced (it changes every few seconds); only a failure is.
  const note = h("p", { class: "muted small" });
  const failure = h("p", { class: "error", role: "alert" });
  const searchError = h("p", { class: "error", role: "alert" });

  const changed = (event) => {
    filters = { ...filters, [event.target.name]: event.target.value, page: 1 };
    history.replaceState(null, "", `/console${queryOf(filters) ? `?${queryOf(filters)}` : ""}`);
    refresh(true);
  };
  const searchInput = h("input", { id: "search-id", name: "id", type: "search", placeholder: "request id", autocomplete: "off", spellcheck: "false", size: 36 });
  const search = async (event) => {
    event.preventDefault();
    const id = searchInput.value.trim();
    searchError.textContent = "";
    if (!UUID.test(id)) {
      searchError.textContent = "A request id is a UUID, like 3b24596a-6abe-494e-aa86-801c170f854c.";
      return;
    }
    try {
      await call(`/api/v1/results/${encodeURIComponent(id.toLowerCase())}`, { signal: controller.signal });
      navigate(`/console/requests/${encodeURIComponent(id.toLowerCase())}`);
    } catch (err) {
      searchError.textContent = err.status === 404 ? `No request ${id} for this key.` : err.message;
    }
  };

  show(
    main,
    h("h1", { text: "Requests" }),
    h(
      "div",
      { class: "toolbar" },
      h(
        "form",
        { class: "filters", "aria-label": "Filters" },
        select("status", "Status", STATUSES, filters.status, changed),
        select("orchestration_mode", "Mode", MODES, filters.orchestration_mode, changed),
        select("agent", "Agent", AGENTS, filters.agent, changed),
      ),
      h("form", { class: "search", role: "search", onsubmit: search }, h("label", { for: "search-id" }, "Find by id"), searchInput, h("button", { type: "submit", text: "Open" })),
    ),
    searchError,
    table,
    pager,
    failure,
    note,
  );

  function render(page) {
    const pages = Math.max(1, Math.ceil(page.total / filters.page_size));
    if (page.items.length === 0) {
      show(table, h("p", { class: "empty" }, page.total === 0 && !filters.status && !filters.orchestration_mode && !filters.agent ? ["No requests yet. ", h("a", { href: "/console/submit", text: "Submit one" }), "."] : "No requests match these filters on this page."));
    } else {
      show(
        table,
        h(
          "table",
          { class: "requests" },
          h("caption", { class: "visually-hidden", text: "Requests, newest first" }),
          h("thead", {}, h("tr", {}, ["Request", "Status", "Mode", "Agents", "Created", "Took", "Webhook"].map((c) => h("th", { scope: "col", text: c })))),
          h(
            "tbody",
            {},
            page.items.map((r) =>
              h(
                "tr",
                { "data-request-id": r.request_id },
                h("td", {}, h("a", { class: "mono", href: `/console/requests/${encodeURIComponent(r.request_id)}`, "data-focus-key": `request:${r.request_id}`, text: r.request_id })),
                h("td", {}, badge(r.status)),
                h("td", { text: r.orchestration_mode }),
                h("td", { text: r.agents.join(", ") }),
                h("td", {}, h("time", { datetime: r.created_at, text: formatTime(r.created_at) })),
                h("td", { text: r.completed_at ? formatMs(Date.parse(r.completed_at) - Date.parse(r.created_at)) : "—" }),
                h("td", {}, r.webhook ? badge(r.webhook.status) : "—"),
              ),
            ),
          ),
        ),
      );
    }
    const go = (n) => (event) => {
      event.preventDefault();
      filters = { ...filters, page: n };
      history.replaceState(null, "", `/console?${queryOf(filters)}`);
      refresh(true);
    };
    show(
      pager,
      h("button", { type: "button", disabled: filters.page <= 1, onclick: go(filters.page - 1), "data-focus-key": "newer", text: "← Newer" }),
      h("span", { text: `Page ${filters.page} of ${pages} · ${page.total} request${page.total === 1 ? "" : "s"}` }),
      h("button", { type: "button", disabled: filters.page >= pages, onclick: go(filters.page + 1), "data-focus-key": "older", text: "Older →" }),
    );
  }

  async function refresh(now = false) {
    cancelNext();
    const mine = ++generation;
    if (now) shown = "";
    try {
      const q = queryOf({ ...filters, page: undefined, page_size: undefined });
      const page = await call(`/api/v1/results?page=${filters.page}&page_size=${filters.page_size}${q ? `&${q}` : ""}`, { signal: controller.signal });
      if (mine !== generation) return;
      const seen = JSON.stringify(page);
      // Drawn again only when something changed, and then with the focus kept on the same row.
      if (seen !== shown) {
        shown = seen;
        keepingFocus(main, () => render(page));
      }
      say(failure, "");
      note.textContent = `Live: read at ${new Date().toLocaleTimeString()}`;
    } catch (err) {
      if (stopped || mine !== generation) return;
      say(failure, `Could not read the requests: ${err.message}`);
    }
    if (!stopped) cancelNext = laterWhenVisible(refresh, REFRESH_MS);
  }
  refresh(true);

  return {
    stop() {
      stopped = true;
      cancelNext();
      controller.abort();
    },
  };
}
