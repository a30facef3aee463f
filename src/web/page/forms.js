// User-task forms on the run page: each open form as an HTML form with the
// fields it has on the terminal; the first answer (here, the terminal or
// adhesive complete) wins.
"use strict";

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

/* `send` posts the answers: to this run's form here, through the tasklist's API there (tasklist.js) */
function formNode(form, send = (answers) => api(`/api/runs/${state.info.id}/forms/${form.id}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(answers) })) {
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
      await send(answers);
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

