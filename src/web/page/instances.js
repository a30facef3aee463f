// The instances of a run that message events started, beside the
// timeline: a page of them at a time, oldest first, filterable by state,
// each with its event (its key data). A click on one marks its own path on
// the diagram (the elements its tasks ran at), shows only its entries in
// the timeline and its data in the variables; a second click, or the ×
// of the timeline's filter, goes back to the whole run.
"use strict";

const INSTANCE_STATES = ["running", "waiting", "done", "failed", "cancelled", "interrupted"];
const instances = { runId: undefined, state: "", rows: [], total: 0, selected: undefined, reading: undefined, path: [] };

async function startInstances(id) {
  instances.runId = id;
  document.getElementById("instance-state").addEventListener("change", (event) => {
    instances.state = event.target.value;
    readInstances(true);
  });
  document.getElementById("instances-more").addEventListener("click", () => readInstances(false));
  await readInstances(true);
  // a running run starts more and its instances move on: the first page is read again every 2 s, and once more when it stopped
  let running = state.summary && state.summary.state === "running";
  setInterval(() => {
    const was = running;
    running = state.summary && state.summary.state === "running";
    if ((running || was) && instances.rows.length <= 200) readInstances(true);
  }, 2000);
}

/* from the start (`again`), or the instances after those shown */
async function readInstances(again) {
  if (instances.reading) await instances.reading;
  instances.reading = (async () => {
    const query = new URLSearchParams({ offset: again ? "0" : String(instances.rows.length) });
    if (instances.state) query.set("state", instances.state);
    const page = await api(`/api/runs/${instances.runId}/instances?${query}`);
    instances.rows = again ? page.instances : instances.rows.concat(page.instances);
    instances.total = page.total;
    renderInstances(page, again);
  })().finally(() => (instances.reading = undefined));
  return instances.reading;
}

function renderInstances(page, again) {
  const all = Object.values(page.states).reduce((a, b) => a + b, 0);
  const section = document.getElementById("instances");
  section.hidden = all === 0;
  document.getElementById("run-lower").classList.toggle("with-instances", all > 0);
  const picker = document.getElementById("instance-state");
  const offered = JSON.stringify([page.states, instances.state]);
  if (picker.dataset.offered !== offered) {
    picker.dataset.offered = offered;
    const states = INSTANCE_STATES.filter((s) => page.states[s] || s === instances.state);
    picker.replaceChildren(el("option", { value: "", text: `all states (${all})` }), ...states.map((s) => el("option", { value: s, text: `${s} (${page.states[s] || 0})` })));
    picker.value = instances.state;
  }
  const body = document.querySelector("#instance-rows tbody");
  const rows = (again ? instances.rows : page.instances).map(instanceRow);
  if (again) body.replaceChildren(...rows);
  else body.append(...rows);
  const more = document.getElementById("instances-more");
  const left = instances.total - instances.rows.length;
  more.hidden = left <= 0;
  more.textContent = `show ${Math.min(200, left)} more of ${left}`;
  document.getElementById("instances-count").textContent = instances.total === all ? `${all} instances` : `${instances.total} of ${all}`;
}

function instanceRow(instance) {
  const counts = [`${instance.tasks} task executions`, instance.failed ? `${instance.failed} failed` : "", instance.caught ? `${instance.caught} caught` : ""].filter(Boolean).join(", ");
  return el(
    "tr",
    { class: `instance state-${instance.state}${instances.selected === instance.number ? " selected" : ""}`, "data-instance": String(instance.number), title: `started by ${instance.name} at ${clock(instance.startedAt)}; ${counts}`, onclick: () => selectInstance(instances.selected === instance.number ? undefined : instance.number) },
    el("td", { class: "number", text: String(instance.number) }),
    el("td", { class: "state", text: instance.state }),
    el("td", { class: "number", text: duration(instance.durationMs) }),
    el("td", { class: "number", text: String(instance.tasks) }),
    el("td", { class: "event", title: instance.event }, el("code", { text: instance.event })),
  );
}

/* instance `n` (undefined: none): its row, its path on the diagram, the timeline and the variables */
async function selectInstance(n) {
  instances.selected = n;
  for (const row of document.querySelectorAll("#instance-rows tr.instance")) row.classList.toggle("selected", row.dataset.instance === String(n));
  const detail = n === undefined ? undefined : await api(`/api/runs/${instances.runId}/instances/${n}`);
  if (instances.selected !== n) return;
  markPath(detail ? detail.path.map((step) => step.elementId) : []);
  await Promise.all([filterTimelineToInstance(n), showVariables(n)]);
}

/* the instance's own path stands out; the rest of the diagram steps back */
function markPath(ids) {
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  for (const id of instances.path) if (registry.get(id)) canvas.removeMarker(id, "ad-path");
  instances.path = ids.filter((id) => registry.get(id));
  for (const id of instances.path) canvas.addMarker(id, "ad-path");
  document.getElementById("canvas").classList.toggle("instance-selected", ids.length > 0);
}
