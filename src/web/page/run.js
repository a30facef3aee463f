// One run (/runs/<id>): its diagram with counts and markers, the summary
// above it, the timeline below it (timeline.js) beside a message run's
// instances (instances.js), the variables (variables.js), the selected
// element's executions, errors and logs beside it (details.js), and the
// forms that wait for an answer (forms.js). A failed run opens on the
// element that failed (zoom.js).
"use strict";

const state = { store: undefined, summary: undefined, elements: {}, flows: {}, failures: [], forms: [], selected: undefined, info: undefined, reading: undefined };
let viewer;

async function showRun(id) {
  document.getElementById("run").hidden = false;
  const [xml, first] = await Promise.all([api(`/api/runs/${id}/diagram`), api(`/api/runs/${id}`)]);
  state.info = first.info;
  document.getElementById("title").textContent = `${first.info.processName || first.info.source} · run ${id.slice(0, 8)}`;
  viewer = new BpmnJS({ container: "#canvas" });
  await viewer.importXML(xml);
  viewer.get("canvas").zoom("fit-viewport", "auto");
  viewer.on("element.click", (event) => select(event.element.id));
  apply(first, true);
  zoomToFailure();
  startTimeline(id);
  startActions(id);
  startInstances(id);
  startVariables(id);
  if (first.reading) readOn(id);
  const events = new EventSource(withToken(`/api/runs/${id}/events`));
  const connection = document.getElementById("connection");
  events.addEventListener("open", () => (connection.textContent = state.info.live ? "live" : ""));
  events.addEventListener("error", () => (connection.textContent = state.summary && state.summary.state !== "running" ? "" : "reconnecting…"));
  events.addEventListener("update", (message) => {
    // how many updates arrived (the tests and the measurements read it)
    document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
    queueUpdate(JSON.parse(message.data));
  });
  setInterval(renderSummary, 1000);
  // a run of another process sends no updates here: while it runs, its state is read again from its folder
  if (!state.info.live) {
    const poll = setInterval(async () => {
      if (state.summary.state !== "running") return clearInterval(poll);
      apply(await api(`/api/runs/${id}`), true);
    }, 2000);
  }
}

/*
 * The first read of a long journal (one the console has no index of) takes
 * seconds: the server answers with what it read so far, and says how far
 * it is. The page shows that first, says so above the diagram, and reads
 * everything again once the journal is read.
 */
const READ_ON_MS = 500;

async function readOn(id) {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, READ_ON_MS));
    const update = await api(`/api/runs/${id}`);
    apply(update, true);
    if (update.reading) continue;
    readTimeline(true);
    readInstances(true);
    showVariables(variablesView.instance);
    zoomToFailure();
    return;
  }
}

/*
 * The server sends at most 10 updates a second, but a page that was busy
 * (a large diagram, a slow machine) gets those that waited all at once:
 * they are merged, and the diagram is drawn at most once per 100 ms.
 */
const REDRAW_MS = 100;
let pendingUpdate;
let redrawTimer;

function queueUpdate(update) {
  pendingUpdate = pendingUpdate === undefined ? update : mergedUpdate(pendingUpdate, update);
  if (redrawTimer === undefined) drawPending();
}

function drawPending() {
  redrawTimer = undefined;
  if (pendingUpdate === undefined) return;
  const update = pendingUpdate;
  pendingUpdate = undefined;
  apply(update, false);
  redrawTimer = setTimeout(drawPending, REDRAW_MS);
}

/* what two updates in a row change: the later counts of each element and flow, both's failures, the later summary and forms */
function mergedUpdate(earlier, later) {
  return {
    ...later,
    elements: { ...earlier.elements, ...later.elements },
    flows: { ...earlier.flows, ...later.flows },
    failures: [...earlier.failures, ...later.failures],
  };
}

/* an update has only what changed; the first (and a reconnect's first) has everything */
function apply(update, full) {
  // what was read of a long journal before it was read whole comes no more once it was (the stream's first update may come late)
  if (update.reading && document.body.dataset.journal === "read") return;
  state.reading = update.reading;
  document.body.dataset.journal = update.reading ? "partial" : "read";
  // how often the diagram was drawn (the tests read it)
  document.body.dataset.redraws = String(Number(document.body.dataset.redraws || 0) + 1);
  if (full) state.failures = [];
  Object.assign(state.elements, update.elements);
  Object.assign(state.flows, update.flows);
  const known = new Set(state.failures.map((f) => `${f.tokenId}/${f.at}/${f.elementId}`));
  for (const failure of update.failures) if (!known.has(`${failure.tokenId}/${failure.at}/${failure.elementId}`)) state.failures.push(failure);
  state.summary = update.summary;
  state.forms = update.forms || [];
  if (update.store) state.store = update.store;
  document.body.dataset.state = update.summary.state;
  for (const [id, counts] of Object.entries(update.elements)) drawElement(id, counts);
  for (const [id, count] of Object.entries(update.flows)) drawFlow(id, count);
  renderSummary();
  renderForms();
  if (state.selected !== undefined && (state.selected in update.elements || update.failures.length > 0)) renderDetails(false);
}

const MARKERS = ["ad-running", "ad-waiting", "ad-done", "ad-failed", "ad-caught", "ad-form"];

function drawElement(id, counts) {
  const registry = viewer.get("elementRegistry");
  if (!registry.get(id)) return;
  const canvas = viewer.get("canvas");
  const overlays = viewer.get("overlays");
  const wanted = new Set();
  if (counts.running > 0) wanted.add("ad-running");
  if (counts.waiting > 0) wanted.add("ad-waiting");
  if (counts.completed > 0 && counts.tokens === 0) wanted.add("ad-done");
  // a failure that failed the run outweighs errors its boundary events caught before
  if (counts.failed > 0) wanted.add("ad-failed");
  else if (counts.caught > 0) wanted.add("ad-caught");
  if (state.forms.some((form) => form.elementId === id)) wanted.add("ad-form");
  for (const marker of MARKERS) {
    if (wanted.has(marker)) canvas.addMarker(id, marker);
    else canvas.removeMarker(id, marker);
  }
  overlays.remove({ element: id, type: "ad-counts" });
  const badge = (cls, n, title) => (n > 0 ? el("span", { class: `badge ${cls}`, title, text: String(n) }) : undefined);
  const html = el(
    "div",
    { class: "ad-counts" },
    badge("running", counts.running, "running"),
    badge("waiting", counts.waiting, "waiting"),
    badge("completed", counts.completed, "completed"),
    badge("failed", counts.failed, "failed — click for the error"),
    badge("caught", counts.caught, "caught by an error boundary event — click for the error"),
  );
  if (html.childElementCount > 0) overlays.add(id, "ad-counts", { position: { top: -10, right: 10 }, html });
}

function drawFlow(id, count) {
  if (!viewer.get("elementRegistry").get(id)) return;
  if (count > 0) viewer.get("canvas").addMarker(id, "ad-taken");
}

/* above the diagram, never on it: a long error wraps there instead of covering the process */
function renderSummary() {
  const s = state.summary;
  if (s === undefined) return;
  const running = s.state === "running";
  const elapsed = running ? Date.now() - s.startedAt : s.durationMs;
  const rows = [
    ["state", s.state],
    ["duration", duration(elapsed)],
    ["tokens", s.tokens],
    ["running", s.running],
    ["waiting", s.waiting],
    ["completed", s.completed],
    ["failed", s.failed],
    ["caught", s.caught || 0],
  ];
  if (s.eventsPerSecond !== undefined && s.eventsPerSecond !== null) rows.push(["events", s.events], ["events/s", s.eventsPerSecond]);
  const box = document.getElementById("summary");
  box.className = `state-${s.state}`;
  box.replaceChildren(el("dl", {}, ...rows.map(([name, value]) => el("div", {}, el("dt", { text: name }), el("dd", { "data-field": name, text: String(value) })))));
  if (s.error) box.append(el("p", { class: "error", text: s.error }));
  if (state.store) box.append(storeNode(state.store));
  if (state.reading) {
    const percent = Math.floor((100 * state.reading.read) / state.reading.size);
    box.append(el("p", { class: "hint", "data-field": "reading", text: `reading its journal, ${percent}% of ${(state.reading.size / 1048576).toFixed(0)} MB: the counts, timeline and instances so far` }));
  }
}

/*
 * A run of the store: the host that owns it, and what its owner said that
 * a person must act on: incidents (a job that ran out of stalls, put back
 * with adhesive retry) and jobs that wait for a worker of their pool.
 */
function storeNode(store) {
  const owner = store.owner ? `owned by pid ${store.owner.pid} on ${store.owner.host}` : "no owner yet";
  const node = el(
    "div",
    { class: "store", "data-field": "store" },
    el("p", { class: "hint", text: `in the store ${store.store}, ${owner}${store.ownerLost ? ": its lease ran out, a standby (adhesive serve) takes it over" : ""}` }),
  );
  for (const incident of store.incidents) {
    node.append(
      el(
        "div",
        { class: "incident store-incident", "data-element": incident.node },
        el("p", {}, el("strong", { text: "Incident: " }), `${incident.task} (${incident.node}, #${incident.seq}): job ${incident.job} failed: `, el("span", { class: "error", text: incident.reason })),
        el("p", { class: "hint", text: "it waits until you run:" }),
        el("pre", { class: "command", text: incident.retry }),
      ),
    );
  }
  for (const warning of store.warnings) node.append(el("p", { class: "warning store-warning", text: `${clock(warning.at)} ${warning.text}` }));
  return node;
}

/* the element the page points at (from the timeline or a click), outlined on the diagram */
function highlight(id) {
  const canvas = viewer.get("canvas");
  for (const marked of document.querySelectorAll(".djs-element.ad-selected")) canvas.removeMarker(marked.dataset.elementId, "ad-selected");
  if (id && viewer.get("elementRegistry").get(id)) canvas.addMarker(id, "ad-selected");
}
