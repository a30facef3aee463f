// The selected element beside the diagram: its counts and errors, each of
// its task executions with what it changed in the data (before and after,
// as the journal has it), the other journal entries about it (messages,
// failures of an element without a task), and its logs.
"use strict";

function select(id) {
  state.selected = id;
  highlight(id);
  renderDetails(true);
}

/* the executions and the log list are read again when an element is clicked, not on every update of a busy one */
async function renderDetails(fresh) {
  const id = state.selected;
  const element = viewer.get("elementRegistry").get(id);
  const name = (element && element.businessObject && element.businessObject.name) || id;
  const counts = state.elements[id];
  const failures = state.failures.filter((f) => f.elementId === id);
  const details = document.getElementById("details");
  const executions = el("section", { class: "executions", "aria-label": "executions" });
  const logs = el("ul", { class: "logs" });
  details.replaceChildren(
    el("h2", { text: name }),
    el("p", { class: "element-id", text: id }),
    counts
      ? el("p", { text: `running ${counts.running} · waiting ${counts.waiting} · completed ${counts.completed} · failed ${counts.failed} · caught ${counts.caught || 0} · cancelled ${counts.cancelled}` })
      : el("p", { class: "hint", text: "no token has reached it" }),
    ...failures.slice(-5).map((f) => el("div", { class: f.caught ? "failure caught" : "failure" }, el("strong", { text: `${f.taskName} (token ${f.tokenId}): ${f.caught ? "caught" : "failed"}` }), el("pre", { text: f.message }))),
    el("p", {}, el("button", { type: "button", class: "link", text: "show only its entries in the timeline", onclick: () => filterTimeline(id) })),
    executions,
    el("h3", { text: "logs" }),
    logs,
    el("pre", { id: "log-text", hidden: true }),
  );
  if (fresh || state.executions === undefined || state.executions.element.id !== id) state.executions = await api(`/api/runs/${state.info.id}/elements/${encodeURIComponent(id)}`);
  if (state.selected !== id) return;
  renderExecutions(executions, state.executions);
  if (fresh || state.logs === undefined) state.logs = (await api(`/api/runs/${state.info.id}/logs`)).logs;
  const mine = state.logs.filter((entry) => entry.elementId === id || (entry.elementId === undefined && entry.task === name));
  if (mine.length === 0) logs.append(el("li", { class: "hint", text: "this element's tasks printed nothing" }));
  for (const entry of mine.slice(-50)) {
    logs.append(el("li", {}, el("a", { href: "#", text: `${entry.task} · token ${entry.tokenId} · ${entry.bytes} B`, onclick: (event) => openLog(event, entry.file) })));
  }
}

function renderExecutions(box, page) {
  const { executions, others } = page;
  if (executions.length === 0 && others.length === 0) {
    box.append(el("p", { class: "hint", text: "the journal has no entries for it" }));
    return;
  }
  if (executions.length > 0) {
    const shown = page.total > executions.length ? ` (the last ${executions.length} of ${page.total})` : "";
    box.append(el("h3", { text: `executions${shown}` }), el("ol", { class: "executions" }, ...executions.map(executionNode)));
  }
  if (others.length > 0) {
    const shown = page.otherTotal > others.length ? ` (the last ${others.length} of ${page.otherTotal})` : "";
    box.append(el("h3", { text: `other entries${shown}` }), el("ol", { class: "entries" }, ...others.map((entry) => el("li", { class: `kind-${entry.kind}` }, el("span", { class: "when", text: clock(entry.at) }), ` ${entry.text}`, entry.error ? el("pre", { class: "error", text: entry.error }) : undefined, entry.value !== undefined && typeof entry.value !== "string" ? el("pre", { class: "value", text: valueText(entry.value) }) : undefined))));
  }
}

function executionNode(execution) {
  const took = execution.endedAt === undefined ? "" : ` · ${duration(execution.endedAt - execution.startedAt)}`;
  const attempts = execution.attempts > 1 ? ` · attempt ${execution.attempts}` : "";
  return el(
    "li",
    { class: `execution outcome-${execution.outcome}`, "data-seq": String(execution.seq) },
    el("div", { class: "execution-head" }, el("strong", { text: `#${execution.seq}` }), " ", el("span", { class: "outcome", text: execution.outcome }), ` · ${clock(execution.startedAt)}${took}${attempts}`),
    execution.error ? el("pre", { class: "error", text: execution.error }) : undefined,
    execution.decision !== undefined ? el("p", {}, "decision: ", el("code", { text: valueText(execution.decision) })) : undefined,
    execution.changes.length > 0 ? changesTable(execution.changes) : execution.outcome === "done" ? el("p", { class: "hint", text: "it changed no data" }) : undefined,
  );
}

/* the delta the journal holds: each key it set or removed, with the value before (as the journal's changes so far give it) and after */
function changesTable(changes) {
  const cell = (has, value, missing) => el("td", {}, has ? el("pre", { class: "value", text: valueText(value) }) : el("span", { class: "hint", text: missing }));
  return el(
    "table",
    { class: "changes" },
    el("thead", {}, el("tr", {}, el("th", { text: "data" }), el("th", { text: "before" }), el("th", { text: "after" }))),
    el("tbody", {}, ...changes.map((change) => el("tr", { "data-key": change.key }, el("td", { class: "key", text: change.key }), cell("before" in change, change.before, "not set"), cell("after" in change, change.after, change.removed ? "removed" : "not set")))),
  );
}

async function openLog(event, file) {
  event.preventDefault();
  const text = await api(`/api/runs/${state.info.id}/logs/${encodeURIComponent(file)}`);
  const pre = document.getElementById("log-text");
  pre.hidden = false;
  pre.textContent = text;
}
