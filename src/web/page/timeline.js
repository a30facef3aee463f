// The run's timeline below the diagram: the journal's entries in journal
// order (tasks started and ended, decisions, answers, timers, messages,
// resumes, the end), filterable by element and by message instance, a
// page of entries at a time. A click on an entry selects its element.
"use strict";

const timeline = { runId: undefined, element: "", instance: undefined, entries: [], total: 0, reading: undefined };

function startTimeline(id) {
  timeline.runId = id;
  document.getElementById("timeline-element").addEventListener("change", (event) => filterTimeline(event.target.value));
  document.getElementById("timeline-more").addEventListener("click", () => readTimeline(false));
  readTimeline(true);
  // a running run's journal grows: what was written since is read every 2 s, and once more when it stopped (its last entries)
  let running = state.summary && state.summary.state === "running";
  setInterval(() => {
    const was = running;
    running = state.summary && state.summary.state === "running";
    if (running || was) readTimeline(false).then(() => state.selected && renderDetails(true));
  }, 2000);
}

function filterTimeline(elementId) {
  timeline.element = elementId;
  document.getElementById("timeline-element").value = elementId;
  readTimeline(true);
}

/* only the entries of message instance `n` (undefined: of every instance), with a chip that lifts the filter */
function filterTimelineToInstance(n) {
  timeline.instance = n;
  const chip = document.getElementById("timeline-instance");
  chip.hidden = n === undefined;
  chip.replaceChildren(...(n === undefined ? [] : [`instance ${n} `, el("button", { type: "button", class: "link", title: "show every instance", text: "×", onclick: () => selectInstance(undefined) })]));
  return readTimeline(true);
}

/* from the start (`again`), or the entries after those shown */
async function readTimeline(again) {
  if (timeline.reading) await timeline.reading;
  timeline.reading = (async () => {
    if (again) timeline.entries = [];
    const query = new URLSearchParams({ offset: String(timeline.entries.length) });
    if (timeline.element) query.set("element", timeline.element);
    if (timeline.instance !== undefined) query.set("instance", String(timeline.instance));
    const page = await api(`/api/runs/${timeline.runId}/timeline?${query}`);
    timeline.entries.push(...page.entries);
    timeline.total = page.total;
    renderTimeline(page, again);
  })().finally(() => (timeline.reading = undefined));
  return timeline.reading;
}

function renderTimeline(page, again) {
  const picker = document.getElementById("timeline-element");
  const offered = JSON.stringify(page.elements);
  if (picker.dataset.offered !== offered) {
    picker.dataset.offered = offered;
    picker.replaceChildren(el("option", { value: "", text: "all elements" }), ...page.elements.map((e) => el("option", { value: e.id, text: `${e.name} (${e.entries})` })));
    picker.value = timeline.element;
  }
  const body = document.querySelector("#timeline-entries tbody");
  const start = state.info ? state.info.startedAt : 0;
  const rows = (again ? timeline.entries : page.entries).map((entry) =>
    el(
      "tr",
      { class: `entry kind-${entry.kind}${entry.failedRun ? " failed-run" : ""}`, "data-i": String(entry.i), "data-element": entry.elementId, "data-kind": entry.kind, "data-instance": entry.instance ? String(entry.instance) : undefined, onclick: () => entry.elementId && select(entry.elementId) },
      el("td", { class: "when", text: clock(entry.at), title: `+${duration(entry.at - start)} after the start` }),
      el("td", { class: "element", text: entry.name || "", title: entry.elementId }),
      el("td", { class: "text" }, entry.text, entry.error ? el("div", { class: "error", text: entry.error }) : undefined, entry.value !== undefined && typeof entry.value !== "string" ? el("code", { class: "value", text: valueText(entry.value) }) : undefined),
    ),
  );
  if (again) body.replaceChildren(...rows);
  else body.append(...rows);
  const more = document.getElementById("timeline-more");
  more.hidden = timeline.entries.length >= timeline.total;
  more.textContent = `show ${Math.min(500, timeline.total - timeline.entries.length)} more of ${timeline.total - timeline.entries.length}`;
  const note = [];
  if (page.snapshot) note.push(`the journal starts from a snapshot: ${page.snapshot.done + page.snapshot.failed + page.snapshot.caught} earlier task executions are counted, not listed`);
  if (page.problem) note.push(page.problem);
  document.getElementById("timeline-count").textContent = `${timeline.total} entries${note.length ? ` · ${note.join(" · ")}` : ""}`;
}
