// The live view's page: the runs list (/) and one run (/runs/<id>). Plain
// browser JavaScript, no build step; it talks only to the JSON API of the
// server that served it, with the access token in a header (or, where a
// browser cannot set one, EventSource, in the query).
"use strict";

const token = document.querySelector('meta[name="adhesive-token"]').content;
const withToken = (path) => `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { "x-adhesive-token": token, ...(options.headers || {}) } });
  const type = response.headers.get("content-type") || "";
  const body = type.startsWith("application/json") ? await response.json() : await response.text();
  if (!response.ok) throw new Error(typeof body === "object" && body.message ? body.message : String(body));
  return body;
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) if (child !== undefined && child !== null) node.append(child);
  return node;
}

function duration(ms) {
  if (ms === undefined || ms === null) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;
}

const time = (ms) => new Date(ms).toLocaleString();

// ---- the runs list ----------------------------------------------------------

async function showRuns() {
  document.getElementById("runs").hidden = false;
  document.getElementById("title").textContent = "runs of this project";
  const body = document.querySelector("#run-table tbody");
  const refresh = async () => {
    const { runs } = await api("/api/runs");
    body.replaceChildren(
      ...runs.map((run) =>
        el(
          "tr",
          { class: `state-${run.state}` },
          el("td", {}, el("a", { href: withToken(`/runs/${run.id}`), text: run.id.slice(0, 8) })),
          el("td", { text: run.processName || run.source, title: run.processFile || run.source }),
          el("td", { class: "state", text: run.state }),
          el("td", { text: time(run.startedAt) }),
          el("td", { text: duration(run.durationMs) }),
          el("td", { text: String(run.completed) }),
          el("td", { text: String(run.failed) }),
          el("td", { text: String(run.caught || 0) }),
          el("td", { text: String(run.running) }),
        ),
      ),
    );
    document.getElementById("no-runs").hidden = runs.length > 0;
  };
  await refresh();
  setInterval(() => refresh().catch(() => undefined), 1000);
}

// ---- one run ----------------------------------------------------------------

const state = { summary: undefined, elements: {}, flows: {}, failures: [], forms: [], selected: undefined, info: undefined };
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
  const events = new EventSource(withToken(`/api/runs/${id}/events`));
  const connection = document.getElementById("connection");
  events.addEventListener("open", () => (connection.textContent = "live"));
  events.addEventListener("error", () => (connection.textContent = state.summary && state.summary.state !== "running" ? "" : "reconnecting…"));
  events.addEventListener("update", (message) => {
    // how many updates arrived (the tests and the measurements read it)
    document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
    apply(JSON.parse(message.data), false);
  });
  setInterval(renderSummary, 1000);
}

/* an update has only what changed; the first (and a reconnect's first) has everything */
function apply(update, full) {
  if (full) state.failures = [];
  Object.assign(state.elements, update.elements);
  Object.assign(state.flows, update.flows);
  const known = new Set(state.failures.map((f) => `${f.tokenId}/${f.at}/${f.elementId}`));
  for (const failure of update.failures) if (!known.has(`${failure.tokenId}/${failure.at}/${failure.elementId}`)) state.failures.push(failure);
  state.summary = update.summary;
  state.forms = update.forms || [];
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
  box.replaceChildren(el("dl", {}, ...rows.flatMap(([name, value]) => [el("dt", { text: name }), el("dd", { "data-field": name, text: String(value) })])));
  if (s.error) box.append(el("p", { class: "error", text: s.error }));
}

// ---- details of one element: counts, errors, logs ---------------------------

function select(id) {
  state.selected = id;
  renderDetails(true);
}

/* the log list is read again when an element is clicked, not on every update of a busy one */
async function renderDetails(readLogs) {
  const id = state.selected;
  const element = viewer.get("elementRegistry").get(id);
  const name = (element && element.businessObject && element.businessObject.name) || id;
  const counts = state.elements[id];
  const failures = state.failures.filter((f) => f.elementId === id);
  const details = document.getElementById("details");
  const logs = el("ul", { class: "logs" });
  details.replaceChildren(
    el("h2", { text: name }),
    el("p", { class: "element-id", text: id }),
    counts
      ? el("p", { text: `running ${counts.running} · waiting ${counts.waiting} · completed ${counts.completed} · failed ${counts.failed} · caught ${counts.caught || 0} · cancelled ${counts.cancelled}` })
      : el("p", { class: "hint", text: "no token has reached it" }),
    ...failures.slice(-5).map((f) => el("div", { class: f.caught ? "failure caught" : "failure" }, el("strong", { text: `${f.taskName} (token ${f.tokenId}): ${f.caught ? "caught" : "failed"}` }), el("pre", { text: f.message }))),
    el("h3", { text: "logs" }),
    logs,
    el("pre", { id: "log-text", hidden: true }),
  );
  if (readLogs || state.logs === undefined) state.logs = (await api(`/api/runs/${state.info.id}/logs`)).logs;
  const entries = state.logs;
  const mine = entries.filter((entry) => entry.elementId === id || (entry.elementId === undefined && entry.task === name));
  if (mine.length === 0) logs.append(el("li", { class: "hint", text: "this element's tasks printed nothing" }));
  for (const entry of mine.slice(-50)) {
    logs.append(el("li", {}, el("a", { href: "#", text: `${entry.task} · token ${entry.tokenId} · ${entry.bytes} B`, onclick: (event) => openLog(event, entry.file) })));
  }
}

async function openLog(event, file) {
  event.preventDefault();
  const text = await api(`/api/runs/${state.info.id}/logs/${encodeURIComponent(file)}`);
  const pre = document.getElementById("log-text");
  pre.hidden = false;
  pre.textContent = text;
}

// ---- user-task forms ----------------------------------------------------------

const renderedForms = new Map();

function renderForms() {
  const box = document.getElementById("forms");
  const open = new Set(state.forms.map((form) => form.id));
  for (const [id, node] of renderedForms) {
    if (!open.has(id)) {
      node.remove();
      renderedForms.delete(id);
    }
  }
  for (const form of state.forms) {
    if (renderedForms.has(form.id)) continue;
    const node = formNode(form);
    renderedForms.set(form.id, node);
    box.append(node);
    if (form.elementId) drawElement(form.elementId, state.elements[form.elementId] || { running: 0, waiting: 0, completed: 0, failed: 0, caught: 0, tokens: 0 });
  }
}

function formNode(form) {
  const fields = form.fields.filter((field) => field.kind !== "button");
  const buttons = form.fields.filter((field) => field.kind === "button");
  const message = el("p", { class: "error", hidden: true });
  const node = el(
    "form",
    { class: "user-task", "data-form": form.id, "data-element": form.elementId },
    el("h2", { text: `User task: ${form.taskName}` }),
    ...fields.map(fieldNode),
    el("div", { class: "buttons" }, ...buttons.map((button, index) => el("button", { type: "submit", name: button.name, value: String(index), text: button.title }))),
    message,
  );
  node.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answers = collect(node, fields);
    // buttons that share a name are told apart by their value; a button alone with its name is pressed by any
    const button = event.submitter && buttons[Number(event.submitter.value)];
    if (button) answers[button.name] = buttons.filter((other) => other.name === button.name).length > 1 ? button.value : true;
    try {
      await api(`/api/runs/${state.info.id}/forms/${form.id}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(answers) });
      node.classList.add("answered");
    } catch (error) {
      message.hidden = false;
      message.textContent = error.message;
    }
  });
  return node;
}

function fieldNode(field) {
  const id = `field-${field.name}-${Math.random().toString(36).slice(2)}`;
  const label = el("label", { for: id, text: field.title });
  const choices = field.values;
  switch (field.kind) {
    case "password":
      return el("p", {}, label, el("input", { id, type: "password", name: field.name, placeholder: field.hasValue ? "(leave empty to keep the preset)" : "" }));
    case "checkboxGroup": {
      const selected = Array.isArray(field.value) ? field.value : field.value === undefined ? [] : [field.value];
      return el("fieldset", { "data-name": field.name }, el("legend", { text: field.title }), ...choices.map((c) => el("label", {}, el("input", { type: "checkbox", name: field.name, value: c.value, checked: selected.includes(c.value) }), ` ${c.label}`)));
    }
    case "radioGroup":
      if (choices.length > 0) {
        return el("fieldset", { "data-name": field.name }, el("legend", { text: field.title }), ...choices.map((c) => el("label", {}, el("input", { type: "radio", name: field.name, value: c.value, checked: c.value === field.value }), ` ${c.label}`)));
      }
      break;
    case "combobox":
      if (choices.length > 0) {
        return el("p", {}, label, el("select", { id, name: field.name }, ...choices.map((c) => el("option", { value: c.value, selected: c.value === field.value, text: c.label }))));
      }
      break;
  }
  return el("p", {}, label, el("input", { id, type: "text", name: field.name, value: field.value === undefined || field.value === null ? "" : String(field.value) }));
}

/* the same shape the terminal gives: every field, the checkbox group as a list */
function collect(node, fields) {
  const answers = {};
  for (const field of fields) {
    const inputs = [...node.querySelectorAll(`[name="${CSS.escape(field.name)}"]`)];
    if (field.kind === "checkboxGroup") answers[field.name] = inputs.filter((i) => i.checked).map((i) => i.value);
    else if (field.kind === "radioGroup" && inputs.some((i) => i.type === "radio")) {
      const checked = inputs.find((i) => i.checked);
      if (checked) answers[field.name] = checked.value;
    } else if (field.kind === "password" && inputs[0].value === "" && field.hasValue) continue;
    else answers[field.name] = inputs[0].value;
  }
  return answers;
}

// ---- start --------------------------------------------------------------------

const match = /^\/runs\/([\w-]+)$/.exec(location.pathname);
(match ? showRun(match[1]) : showRuns()).catch((error) => {
  document.body.append(el("p", { class: "error fatal", text: `The live view could not load: ${error.message}` }));
});
