// The tasklist (/tasks): every user task that waits for an answer in a
// running run of the project, oldest first, each with its form (forms.js,
// the modeler's forms included). An answer goes to the run as `adhesive
// complete` sends it; the first answer wins, here, on a terminal or on a
// run's page, and a form answered elsewhere leaves the list.
"use strict";

/* the cards shown, by run and form: kept while their form is open, so that what is typed in one survives a refresh */
const taskCards = new Map();

async function showTasklist() {
  document.getElementById("tasks").hidden = false;
  document.getElementById("title").textContent = "open user tasks of this project";
  await refreshTasks();
  setInterval(() => refreshTasks().catch(() => undefined), 2000);
}

async function refreshTasks() {
  const { tasks, unreachable } = await api("/api/tasks");
  const list = document.getElementById("task-cards");
  const open = new Set(tasks.map((task) => `${task.runId}/${task.form.id}`));
  for (const [key, card] of taskCards) {
    if (!open.has(key)) {
      card.remove();
      taskCards.delete(key);
    }
  }
  for (const task of tasks) {
    const key = `${task.runId}/${task.form.id}`;
    if (taskCards.has(key)) continue;
    const card = taskCard(task);
    taskCards.set(key, card);
    list.append(card);
  }
  document.getElementById("tasks-count").textContent = tasks.length === 0 ? "No user task waits for an answer." : `${tasks.length} user task${tasks.length === 1 ? "" : "s"} wait${tasks.length === 1 ? "s" : ""} for an answer, the longest waiting first.`;
  const problems = document.getElementById("tasks-unreachable");
  problems.replaceChildren(...unreachable.map((run) => el("li", { text: `run ${run.runId}: ${run.message}` })));
  problems.hidden = unreachable.length === 0;
}

function taskCard(task) {
  const send = (answers) => api(`/api/tasks/${task.runId}/${encodeURIComponent(task.form.id)}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(answers) });
  return el(
    "li",
    { class: "task-card", "data-run": task.runId, "data-form": task.form.id, "data-element": task.form.elementId },
    el(
      "p",
      { class: "task-run" },
      el("a", { href: withToken(`/runs/${task.runId}`), text: `run ${task.runId.slice(0, 8)}`, title: task.runId }),
      ` · ${task.processName || task.source} · waiting since ${time(task.form.openedAt)}`,
    ),
    formNode(task.form, send),
  );
}
