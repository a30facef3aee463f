// A run's incident and actions, beside the diagram: the failed task of a
// failed run with its error and log, and the buttons the run's state allows
// (Retry a failed run, Resume an interrupted one, Cancel a running one),
// each asked for again before it is done. The server does each the way the
// CLI does (adhesive resume [--retry], adhesive cancel).
"use strict";

const actions = { runId: undefined, shownState: undefined, following: false };

/* the state run.js shows is on the body: a change of it (a run that failed, ended, was retried) reads the actions again */
function startActions(id) {
  actions.runId = id;
  new MutationObserver(() => {
    if (document.body.dataset.state !== actions.shownState) refreshActions().catch(() => undefined);
  }).observe(document.body, { attributes: true, attributeFilter: ["data-state"] });
  refreshActions();
}

async function refreshActions() {
  actions.shownState = document.body.dataset.state;
  const offered = await api(`/api/runs/${actions.runId}/actions`);
  const box = document.getElementById("actions");
  const incident = offered.incident ? incidentNode(offered.incident) : undefined;
  const buttons = offered.actions.map((action) =>
    el("button", { type: "button", class: `action action-${action.name}`, "data-action": action.name, disabled: action.refused !== undefined, title: action.refused, text: action.title, onclick: () => askFirst(action) }),
  );
  const notes = offered.actions.filter((action) => action.refused).map((action) => el("p", { class: "hint refused", text: `${action.title}: ${action.refused}` }));
  // what the last action did stays said after the state it brought redraws the rest
  const result = box.querySelector(".action-result") || el("p", { class: "action-result", hidden: true });
  box.replaceChildren(...[incident, buttons.length > 0 ? el("div", { class: "action-buttons" }, ...buttons) : undefined, ...notes, el("div", { class: "confirm", hidden: true }), result].filter(Boolean));
  box.hidden = incident === undefined && buttons.length === 0 && result.hidden;
  box.dataset.state = offered.state;
}

function incidentNode(incident) {
  const execution = incident.execution;
  const log = el("pre", { class: "incident-log", hidden: true });
  const node = el(
    "div",
    { class: "incident", "data-element": incident.elementId },
    el("h2", { text: "Incident" }),
    el("p", {}, el("strong", { text: incident.name || incident.elementId || "the run" }), incident.elementId ? ` (${incident.elementId})` : "", " failed", execution && execution.attempts > 1 ? ` · attempt ${execution.attempts}` : "", incident.at ? ` · ${clock(incident.at)}` : ""),
    el("pre", { class: "error", text: (execution && execution.error) || incident.error || "no error was recorded" }),
    execution && execution.log ? el("h3", { text: "its log" }) : undefined,
    log,
  );
  if (incident.elementId) node.querySelector("strong").addEventListener("click", () => select(incident.elementId));
  if (execution && execution.log) {
    api(`/api/runs/${actions.runId}/logs/${encodeURIComponent(execution.log)}`).then((text) => {
      // its end: where a failure's reason is
      log.textContent = text.split("\n").slice(-40).join("\n");
      log.hidden = false;
    });
  }
  return node;
}

/* nothing is done before the second click: the question says what will happen */
function askFirst(action) {
  const confirm = document.querySelector("#actions .confirm");
  confirm.replaceChildren(
    el("p", { text: action.confirm }),
    el("button", { type: "button", class: "confirm-yes", "data-action": action.name, text: `Yes, ${action.title.toLowerCase()}`, onclick: () => act(action) }),
    el("button", { type: "button", class: "confirm-no", text: "No", onclick: () => (confirm.hidden = true) }),
  );
  confirm.hidden = false;
}

async function act(action) {
  const confirm = document.querySelector("#actions .confirm");
  const result = document.querySelector("#actions .action-result");
  for (const button of document.querySelectorAll("#actions button")) button.disabled = true;
  result.hidden = false;
  result.className = "action-result";
  result.textContent = action.name === "cancel" ? "cancelling…" : `starting adhesive resume${action.name === "retry" ? " --retry" : ""}…`;
  try {
    const done = await api(`/api/runs/${actions.runId}/actions/${action.name}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    confirm.hidden = true;
    result.textContent = outcomeText(done);
    result.dataset.outcome = done.state || "";
    followRun();
  } catch (error) {
    result.className = "action-result error";
    result.textContent = error.message;
    for (const button of document.querySelectorAll("#actions button")) button.disabled = false;
  }
}

function outcomeText(done) {
  // a run of the store whose owner did not answer: the request waits in its inbox, or was taken
  if (done.note) return done.note;
  if (done.action === "cancel") return done.state === "running" ? "cancelling: its tasks are still stopping" : `the run is ${done.state}`;
  const how = done.action === "retry" ? "adhesive resume --retry" : "adhesive resume";
  return done.claimed ? `${how} took the run over (process ${done.pid}); the run is ${done.state}` : `${how} is still starting (process ${done.pid})`;
}

/*
 * A run another process goes on with sends this page no updates: it is
 * read again every second until it stops running, and the timeline reads
 * what was added last.
 */
async function followRun() {
  if (actions.following || state.info.live) return;
  actions.following = true;
  try {
    for (;;) {
      const update = await api(`/api/runs/${actions.runId}`);
      apply(update, true);
      if (update.summary.state !== "running") break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await readTimeline(false);
  } finally {
    actions.following = false;
  }
}
