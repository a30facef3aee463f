// The console's page, shared by its parts (runs.js, run.js, details.js,
// timeline.js, forms.js, started by app.js): plain browser scripts, no
// build step, talking only to the JSON API of the server that served them,
// with the access token in a header (or, where a browser cannot set one,
// in the query).
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
    if (value === undefined || value === false || value === null) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) if (child !== undefined && child !== null && child !== false) node.append(child);
  return node;
}

function duration(ms) {
  if (ms === undefined || ms === null) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3600000) return `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;
  return `${Math.floor(ms / 3600000)} h ${Math.round((ms % 3600000) / 60000)} min`;
}

const time = (ms) => new Date(ms).toLocaleString();

/* hh:mm:ss.mmm, for the timeline */
function clock(ms) {
  const d = new Date(ms);
  const two = (n) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}

/* a data value as the API sends it (already masked): JSON, indented when it does not fit on a line */
function valueText(value) {
  if (typeof value === "string") return JSON.stringify(value);
  const flat = JSON.stringify(value);
  return flat !== undefined && flat.length <= 60 ? flat : JSON.stringify(value, null, 2);
}
