// The runs list (/): every run of the project, filtered by state, process
// and a text (ids, names, errors, data); the filters are kept in the
// address, so a filtered list can be bookmarked.
"use strict";

const STATES = ["running", "done", "failed", "interrupted", "cancelled"];

async function showRuns() {
  document.getElementById("runs").hidden = false;
  document.getElementById("title").textContent = "runs of this project";
  const params = new URLSearchParams(location.search);
  const filters = {
    state: document.getElementById("state-filter"),
    process: document.getElementById("process-filter"),
    q: document.getElementById("search"),
  };
  filters.q.value = params.get("q") || "";
  let wanted = { state: params.get("state") || "", process: params.get("process") || "" };
  let shown = 0;
  const refresh = async () => {
    const query = new URLSearchParams();
    if (wanted.state) query.set("state", wanted.state);
    if (wanted.process) query.set("process", wanted.process);
    if (filters.q.value.trim()) query.set("q", filters.q.value.trim());
    const asked = ++shown;
    const page = await api(`/api/runs?${query}`);
    // an answer to an older filter that came late is not shown over the newer one
    if (asked !== shown) return;
    renderFilters(filters, page, wanted);
    renderRuns(page);
    query.set("token", token);
    history.replaceState(null, "", `/?${query}`);
  };
  document.getElementById("filters").addEventListener("submit", (event) => event.preventDefault());
  filters.state.addEventListener("change", () => ((wanted.state = filters.state.value), refresh()));
  filters.process.addEventListener("change", () => ((wanted.process = filters.process.value), refresh()));
  let typing;
  filters.q.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => refresh().catch(() => undefined), 250);
  });
  await refresh();
  setInterval(() => refresh().catch(() => undefined), 2000);
}

function renderFilters(filters, page, wanted) {
  // rebuilt only when what they offer changed: a select rebuilt while open would close
  const offered = JSON.stringify([page.states, page.processes, wanted]);
  if (filters.offered === offered) return;
  filters.offered = offered;
  const states = STATES.filter((state) => page.states[state] || state === wanted.state);
  filters.state.replaceChildren(
    el("option", { value: "", text: `all states (${Object.values(page.states).reduce((a, b) => a + b, 0)})` }),
    ...states.map((state) => el("option", { value: state, text: `${state} (${page.states[state] || 0})`, selected: state === wanted.state })),
  );
  filters.process.replaceChildren(
    el("option", { value: "", text: "all processes" }),
    ...page.processes.map((p) => el("option", { value: p.id, text: `${p.name || p.id} (${p.runs})`, selected: p.id === wanted.process })),
  );
}

/* a run of the store: its host, and its incidents or a lost owner beside its state */
function storeCells(run) {
  if (!run.store) return [];
  const notes = [];
  if (run.store.incidents > 0) notes.push(el("span", { class: "incidents", "data-incidents": String(run.store.incidents), text: ` ${run.store.incidents} incident${run.store.incidents === 1 ? "" : "s"}` }));
  if (run.store.ownerLost) notes.push(el("span", { class: "hint", text: " (no owner)" }));
  if (run.store.host) notes.push(el("span", { class: "hint host", text: ` on ${run.store.host}` }));
  return notes;
}

function renderRuns(page) {
  const body = document.querySelector("#run-table tbody");
  body.replaceChildren(
    ...page.runs.map((run) =>
      el(
        "tr",
        { class: `state-${run.state}`, "data-run": run.id },
        el("td", { class: "id" }, el("a", { href: withToken(`/runs/${run.id}`), text: run.id.slice(0, 8), title: run.id })),
        el("td", { class: "process", text: run.processName || run.source, title: run.processFile || run.source }),
        el("td", { class: "state", title: run.error }, run.state, ...storeCells(run)),
        el("td", { text: time(run.startedAt) }),
        el("td", { class: "number", text: duration(run.durationMs) }),
        el("td", { class: "number", text: String(run.completed) }),
        el("td", { class: "number", text: String(run.failed) }),
        el("td", { class: "number", text: String(run.caught || 0) }),
        el("td", { class: "number", text: String(run.running) }),
      ),
    ),
  );
  const all = Object.values(page.states).reduce((a, b) => a + b, 0);
  const count = document.getElementById("runs-count");
  count.textContent = page.total === all ? `${all} runs` : `${page.total} of ${all} runs match`;
  if (page.runs.length < page.total) count.textContent += ` (the newest ${page.runs.length} are shown)`;
  document.getElementById("no-runs").hidden = all > 0;
  const unreadable = document.getElementById("unreadable");
  unreadable.replaceChildren(...page.unreadable.map((run) => el("li", { text: `${run.id}: ${run.problem}` })));
  unreadable.hidden = page.unreadable.length === 0;
}
