/*
 * Which copy of adhesive-bpmn a run of the CLI must be: the one the process
 * file imports. A CLI installed globally (or a second version beside the
 * project's) that ran the file itself would see none of the runs the file
 * starts with the project's copy: the started-runs registry, the default
 * registry's settings and the error classes are per copy, so it would report
 * "started no process" and point errors into the other copy's dist/. Like
 * eslint and vitest, the CLI hands over to the project's copy instead.
 *
 * Plain JavaScript with Node's built-ins only: it runs before anything else,
 * --version included, and must not make that slower.
 */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/* set by the first copy's bin: the copy it hands over to does not look again */
const CHOSEN = Symbol.for("adhesive-bpmn.cli-copy-chosen");
/* options of src/cli/main.ts and inbox-commands.ts that take the next argument as their value */
const WITH_VALUE = new Set(["--data", "--keep", "--ui-port", "--correlation", "--key"]);
/* commands that load no process file named on the command line: the project is the working directory */
const NO_FILE = new Set(["lint", "clean", "runs", "resume", "send", "complete"]);

/**
 * The file URL of the bin of the project's own adhesive-bpmn, when that is
 * another copy than this one; undefined when this copy is the one to run.
 * The project is the folder of the process file the arguments name (a folder
 * argument is the folder itself), else the working directory.
 * @param {readonly string[]} argv the CLI's arguments
 * @param {string} cwd
 * @returns {string | undefined}
 */
export function projectCopyBin(argv, cwd) {
  const global = /** @type {Record<symbol, boolean>} */ (globalThis);
  if (global[CHOSEN]) return undefined;
  global[CHOSEN] = true;
  const root = adhesiveRoot(projectFolder(argv, cwd));
  if (root === undefined || root === realpathSync(fileURLToPath(new URL("..", import.meta.url)))) return undefined;
  try {
    const { bin } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    const file = typeof bin === "string" ? bin : bin?.adhesive;
    // a copy without its CLI cannot take over; this one runs rather than none
    return typeof file === "string" && existsSync(join(root, file)) ? pathToFileURL(join(root, file)).href : undefined;
  } catch {
    return undefined;
  }
}

/** @param {readonly string[]} argv @param {string} cwd */
function projectFolder(argv, cwd) {
  const positionals = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (WITH_VALUE.has(argv[i])) i++;
    else if (!argv[i].startsWith("-")) positionals.push(argv[i]);
  }
  const given = positionals[0] === "verify" ? positionals[1] : NO_FILE.has(positionals[0]) ? undefined : positionals[0];
  if (given === undefined) return cwd;
  const path = resolve(cwd, given);
  try {
    return statSync(path).isDirectory() ? path : dirname(path);
  } catch {
    // the CLI reports the missing file
    return cwd;
  }
}

/**
 * The package folder of the adhesive-bpmn that a file in `folder` gets from
 * `import "adhesive-bpmn"`, symbolic links resolved as Node does; undefined
 * if there is none.
 * @param {string} folder
 */
function adhesiveRoot(folder) {
  try {
    return dirname(realpathSync(createRequire(join(folder, "_")).resolve("adhesive-bpmn/package.json")));
  } catch {
    return undefined;
  }
}
