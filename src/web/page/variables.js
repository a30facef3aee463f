// The variables beside the diagram: the run's data (its result once it
// succeeded), or the selected message instance's, as a tree opened one
// level at a time. Each object, array, Map or Set comes closed, with its
// size; opening it asks the server for that node's entries, a page at a
// time, so a key that holds 100k items costs the page what it shows.
// Values come masked, as everything the API sends.
"use strict";

const variablesView = { runId: undefined, instance: undefined, shown: 0 };

function startVariables(id) {
  variablesView.runId = id;
  return showVariables(undefined);
}

/* the run's data (instance undefined) or instance `n`'s */
async function showVariables(n) {
  variablesView.instance = n;
  const asked = ++variablesView.shown;
  const answer = await readNode([], 0);
  if (asked !== variablesView.shown) return;
  const of = document.getElementById("variables-of");
  of.textContent = n === undefined ? (answer.source === "result" ? "· the run's result" : "· the run's") : `· instance ${n}`;
  of.append(" ", el("button", { type: "button", class: "link", title: "read them again", text: "↻", onclick: (event) => (event.preventDefault(), showVariables(variablesView.instance)) }));
  const tree = document.getElementById("variables-tree");
  if (answer.node === undefined) {
    tree.replaceChildren(el("p", { class: "hint", text: answer.problem || "the journal keeps none of this run's data (it starts from a snapshot that kept no result)" }));
    return;
  }
  const list = el("ul", { class: "tree", role: "tree" });
  appendEntries(list, [], answer.node);
  if (answer.source === "journal" && n === undefined && answer.node.size === 0) list.append(el("li", { class: "hint", text: "no data yet" }));
  const notes = [];
  if (n !== undefined) notes.push("its initial data, its event and what its tasks changed; a message that reached one of its catch events is the run's, not in here");
  else if (answer.source === "journal") notes.push("the initial data and what the tasks of no message instance changed; a message instance's data is on its row");
  tree.replaceChildren(list, ...notes.map((text) => el("p", { class: "hint", text })));
}

function readNode(path, offset) {
  const query = new URLSearchParams({ path: JSON.stringify(path), offset: String(offset) });
  if (variablesView.instance !== undefined) query.set("instance", String(variablesView.instance));
  return api(`/api/runs/${variablesView.runId}/variables?${query}`);
}

/* the entries of an opened node, and a button for the next page of them */
function appendEntries(list, path, node) {
  for (const entry of node.entries) list.append(entryItem([...path, entry.step], entry));
  const shown = node.offset + node.entries.length;
  if (shown < node.size) {
    const more = el("li", { class: "more" }, el("button", { type: "button", class: "link", text: `show ${Math.min(200, node.size - shown)} more of ${node.size - shown}` }));
    more.firstChild.addEventListener("click", async () => {
      const answer = await readNode(path, shown);
      more.remove();
      if (answer.node) appendEntries(list, path, answer.node);
    });
    list.append(more);
  }
}

const CONTAINERS = { object: ["{", "}"], array: ["[", "]"], map: ["Map {", "}"], set: ["Set {", "}"] };

function entryItem(path, entry) {
  const node = entry.node;
  const key = el("span", { class: "key", text: entry.key });
  if (node.size === undefined) {
    return el("li", { class: `leaf type-${node.type}`, role: "treeitem", "data-path": JSON.stringify(path) }, key, ": ", el("span", { class: "value", text: node.text }));
  }
  const [open, close] = CONTAINERS[node.type] || ["{", "}"];
  const toggle = el("button", { type: "button", class: "toggle", "aria-expanded": "false", title: node.size === 0 ? "empty" : "open" }, key, el("span", { class: "size", text: ` ${open}${node.size} ${node.size === 1 ? "entry" : "entries"}${close}` }));
  const item = el("li", { class: `branch type-${node.type}`, role: "treeitem", "data-path": JSON.stringify(path) }, toggle);
  let children;
  toggle.addEventListener("click", async () => {
    if (children !== undefined) {
      children.hidden = !children.hidden;
      toggle.setAttribute("aria-expanded", String(!children.hidden));
      return;
    }
    if (node.size === 0) return;
    const answer = await readNode(path, 0);
    children = el("ul", { class: "tree", role: "group" });
    if (answer.node && answer.node.entries) appendEntries(children, path, answer.node);
    item.append(children);
    toggle.setAttribute("aria-expanded", "true");
  });
  return item;
}
