import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const page = (name: string) => new URL(`./page/${name}`, import.meta.url);

/*
 * bpmn-js's viewer bundle and CSS: the build copies these three files into
 * the package (scripts/build.mjs, VENDORED), so bpmn-js is a devDependency;
 * installed, it was 13 MB and 9 packages for them. A clone finds them in
 * node_modules.
 */
function viewerFile(path: string): string | URL {
  const packaged = new URL(`./vendor/${path}`, import.meta.url);
  return existsSync(packaged) ? packaged : require.resolve(path);
}

/**
 * Every file the page loads, all from this package: the page fetches
 * nothing from outside. Read once, on first request.
 */
const FILES: Record<string, { path: string | URL; type: string }> = {
  "viewer.js": { path: viewerFile("bpmn-js/dist/bpmn-navigated-viewer.production.min.js"), type: "text/javascript; charset=utf-8" },
  "diagram-js.css": { path: viewerFile("bpmn-js/dist/assets/diagram-js.css"), type: "text/css; charset=utf-8" },
  "bpmn-js.css": { path: viewerFile("bpmn-js/dist/assets/bpmn-js.css"), type: "text/css; charset=utf-8" },
    ...Object.fromEntries(["common.js", "runs.js", "run.js", "details.js", "timeline.js", "forms.js", "actions.js", "tasklist.js", "instances.js", "variables.js", "zoom.js", "app.js"].map((name) => [name, { path: page(name), type: "text/javascript; charset=utf-8" }])),
  "style.css": { path: page("style.css"), type: "text/css; charset=utf-8" },
};

const cache = new Map<string, Promise<Buffer>>();

/** A static file by name, or undefined for any name not in the list. */
export function staticFile(name: string): { content: Promise<Buffer>; type: string } | undefined {
  const file = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
  if (file === undefined) return undefined;
  let content = cache.get(name);
  if (content === undefined) cache.set(name, (content = readFile(file.path)));
  return { content, type: file.type };
}

let html: Promise<string> | undefined;

/** The page (runs list and run view are one page), with the token it sends back in its requests. */
export async function pageHtml(token: string): Promise<string> {
  html ??= readFile(page("index.html"), "utf8");
  return (await html).replaceAll("{{token}}", token);
}
