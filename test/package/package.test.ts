/*
 * Given the packed tarball installed into fresh projects outside the
 * repository (installed.ts), when a user runs a process in each kind of
 * project, then it works without tsx or a build step of theirs: the CLI in a
 * CommonJS project (`npm init -y`), an ES module project and a folder without
 * package.json, plain `node` embedding with import and with require, and the
 * types under tsc --strict with module node16, nodenext and bundler.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { run, useInstalledPackage, type Result } from "./installed.js";

const installed = useInstalledPackage();

/* `npx adhesive ...` as a user types it; --no: never fetch the unrelated npm package named adhesive */
const npxAdhesive = (cwd: string, ...args: string[]) => run("npx", ["--no", "--", "adhesive", ...args], cwd);
/*
 * The bin npx runs (node_modules/.bin/adhesive, the link npm made), without
 * npm's own start-up (about a CPU second each on a loaded machine). The
 * README's kind of file runs through npx itself; the other scenarios are
 * about what the CLI loads in each kind of project, not about npx.
 */
const installedAdhesive = (cwd: string, args: string[], extraEnv: Record<string, string> = {}) =>
  run(process.execPath, [join(installed().folder, "node_modules/.bin/adhesive"), ...args], cwd, extraEnv);

async function write(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
}

const ESM_TS = `import { processStart, task, type Context } from "adhesive-bpmn";
task("Greet", (ctx: Context) => {
  ctx.data.greeted = "hello";
});
const data = await processStart().task("Greet").processEnd().build();
console.log("result:", JSON.stringify(data));
`;

const COMMONJS_TS = `const { processStart, task } = require("adhesive-bpmn");
task("Greet", (ctx: { data: Record<string, unknown> }) => {
  ctx.data.greeted = "hello";
});
// no top-level await in CommonJS: the run is not awaited
processStart().task("Greet").processEnd().build().then((data: unknown) => console.log("result:", JSON.stringify(data)));
`;

describe("the packed tarball", () => {
  it("holds the compiled package, its types, bin, examples and LICENSE, the plain files it loads at run time, and no TypeScript sources", () => {
    const { files } = installed();
    const loadedAtRunTime = ["dist/workers/worker-entry.mjs", "dist/model/feel-sandbox-worker.mjs", "dist/processes/adhesive-supervisor.sh", "dist/cli/signal-watchdog-worker.mjs", "dist/web/page/index.html"];
    for (const file of ["dist/index.js", "dist/index.cjs", "dist/index.d.ts", "dist/index.d.cts", ...loadedAtRunTime, "bin/adhesive.js", "examples/hello/_adhesive.ts", "LICENSE", "README.md"]) {
      expect(files).toContain(file);
    }
    // with src/ or its marker in the package, bin/ and the worker entry would run the sources through tsx (src/source-mode.mjs)
    expect(files.filter((file) => file.startsWith("src/") || file.endsWith("source-mode.mjs"))).toEqual([]);
  });
});

describe("adhesive in a CommonJS project (npm init -y)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await installed().project("commonjs");
    const init = await run("npm", ["init", "-y"], dir);
    expect(init.code).toBe(0);
  });

  it("runs the README's kind of _adhesive.ts, ES module syntax and top-level await, found in the working folder", async () => {
    await write(dir, { "_adhesive.ts": ESM_TS });
    const { code, stdout, stderr } = await npxAdhesive(dir);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain('result: {"greeted":"hello"}');
  });

  it("runs a CommonJS .ts and .cts that start their run without awaiting it, and waits for it", async () => {
    await write(dir, { "commonjs.ts": COMMONJS_TS, "commonjs.cts": COMMONJS_TS });
    for (const file of ["commonjs.ts", "commonjs.cts"]) {
      const { code, stdout, stderr } = await installedAdhesive(dir, [file]);
      expect({ file, stderr }).toEqual({ file, stderr: "" });
      expect(code).toBe(0);
      expect(stdout).toContain('result: {"greeted":"hello"}');
    }
  });

  it("exits 1 with the failure printed once, no stack trace, for a failing run nobody awaited", async () => {
    await write(dir, {
      "failing.cjs": `const { processStart, task } = require("adhesive-bpmn");
task("Break", () => { throw new Error("the disk is full"); });
processStart().task("Break").processEnd().build().then(() => console.log("never"));
`,
    });
    const { code, stdout, stderr } = await installedAdhesive(dir, ["failing.cjs"]);
    expect(code).toBe(1);
    expect(stderr.match(/the disk is full/g)).toHaveLength(1);
    expect(stderr).toContain('process failed: task "Break"');
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stdout).not.toContain("never");
  });

  it("exits 2 saying so for a process file that starts no run", async () => {
    await write(dir, { "no-run.ts": `import { task } from "adhesive-bpmn";\ntask("Lonely", () => undefined);\n` });
    const { code, stderr } = await installedAdhesive(dir, ["no-run.ts"]);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe("adhesive: no-run.ts started no process: call bpmnBuild(), build() or processStart()...build() in it");
  });

  it("runs the tasks of a TypeScript process file in worker threads (parallel_processing: worker)", async () => {
    await write(dir, {
      "workers.ts": `import { isMainThread } from "node:worker_threads";
import { processStart, task } from "adhesive-bpmn";
task("Crunch", (ctx) => { ctx.data.inWorker = !isMainThread; });
console.log("result:", JSON.stringify(await processStart().task("Crunch").processEnd().build()));
`,
    });
    const { code, stdout, stderr } = await installedAdhesive(dir, ["workers.ts"], { ADHESIVE_PARALLEL_PROCESSING: "worker" });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain('result: {"inWorker":true}');
  });

  it("runs a .ts that imports a computed path through adhesive's own module hooks, in the main thread and in worker threads: ./x.js as ./x.ts, extensionless imports, tsconfig paths, .ts lines in stack traces", async () => {
    await write(dir, {
      "tsconfig.json": JSON.stringify({ compilerOptions: { paths: { "#lib/*": ["./hooked/*"] } } }),
      "hooked.ts": `import { isMainThread } from "node:worker_threads";
import { processStart, task } from "adhesive-bpmn";
import { shout } from "./hooked/shout.js";
import { twice } from "./hooked/twice";
import { where } from "#lib/where";
const late: string = ["./hooked", "late.ts"].join("/");
const { fail } = (await import(late)) as { fail: () => never };
task("Greet", (ctx) => { ctx.data.greeted = \`\${shout("hi")} \${twice(2)} \${where} \${isMainThread ? "main" : "worker"}\`; });
task("Break", () => fail());
console.log("result:", JSON.stringify(await processStart().task("Greet").processEnd().build()));
await processStart().task("Break").processEnd().build();
`,
    });
    await mkdir(join(dir, "hooked"));
    await write(join(dir, "hooked"), {
      "shout.ts": "export const shout = (text: string): string => text.toUpperCase();\n",
      "twice.ts": "export const twice = (n: number): number => n * 2;\n",
      "where.ts": 'export const where: string = import.meta.url.endsWith("/hooked/where.ts") ? "in where.ts" : import.meta.url;\n',
      "late.ts": 'type Never = never;\nexport function fail(): Never {\n  throw new Error("late failure");\n}\n',
    });
    for (const [threads, ADHESIVE_PARALLEL_PROCESSING] of [["main", "async"], ["worker", "worker"]]) {
      const { code, stdout, stderr } = await installedAdhesive(dir, ["hooked.ts"], { NO_COLOR: "1", ADHESIVE_PARALLEL_PROCESSING });
      expect(stdout).toContain(`result: {"greeted":"HI 4 in where.ts ${threads}"}`);
      expect(stderr).toContain('process failed: task "Break" (task_1) failed: late failure (at hooked/late.ts:3)');
      expect(code).toBe(1);
    }
  });

  it("runs the hello example shipped in the package", async () => {
    const { code, stdout, stderr } = await installedAdhesive(dir, ["../node_modules/adhesive-bpmn/examples/hello/_adhesive.ts"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("published: true");
  });

  it("loads a handful of files of dist/ for that run and two for --version, not esbuild's many small chunks (scripts/group-chunks.mjs: each file costs Node about 0.4 ms)", async () => {
    // a module hook that lists the package's modules as Node loads them (a worker thread's entry too: --import is inherited)
    await write(dir, {
      "list-loads.mjs": 'import { register } from "node:module";\nregister("./list-loads-hook.mjs", import.meta.url);\n',
      "list-loads-hook.mjs":
        'import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) {\n  if (/\\/adhesive-bpmn\\/dist\\/.*\\.js$/.test(url)) appendFileSync(process.env.LOADS_LIST, `${url.slice(url.indexOf("/dist/") + 1)}\\n`);\n  return next(url, context);\n}\n',
    });
    const loads = async (args: string[], list: string): Promise<string[]> => {
      const listFile = join(dir, list);
      const { code, stderr } = await installedAdhesive(dir, args, { NODE_OPTIONS: `--import ${pathToFileURL(join(dir, "list-loads.mjs")).href}`, LOADS_LIST: listFile });
      expect(stderr).toBe("");
      expect(code).toBe(0);
      return (await readFile(listFile, "utf8")).trim().split("\n");
    };
    expect(await loads(["--version"], "version.txt")).toEqual(["dist/cli/main.js", expect.stringMatching(/^dist\/chunks\/cli-[\w-]+\.js$/)]);
    // 8, and 2 more where the configuration has values to check (here the environment's); 68 when each chunk was a file
    expect((await loads(["../node_modules/adhesive-bpmn/examples/hello/_adhesive.ts"], "run.txt")).length).toBeLessThanOrEqual(10);
  });
});

describe("adhesive in an ES module project and in a folder without package.json", () => {
  it('runs .js, .mts and a require()-only .js in a "type": "module" project', async () => {
    const dir = await installed().project("esm", { name: "esm", type: "module" });
    await write(dir, { "esm.js": ESM_TS.replace(", type Context", "").replace("(ctx: Context)", "(ctx)"), "esm.mts": ESM_TS, "required.js": COMMONJS_TS.replaceAll(/: \{[^}]*\}|: unknown/g, "") });
    for (const file of ["esm.js", "esm.mts", "required.js"]) {
      const { code, stdout, stderr } = await installedAdhesive(dir, [file]);
      expect({ file, stderr }).toEqual({ file, stderr: "" });
      expect(code).toBe(0);
      expect(stdout).toContain('result: {"greeted":"hello"}');
    }
  });

  it("runs an ES module .ts and a CommonJS .ts where no package.json exists", async () => {
    const dir = await installed().project("no-package-json");
    await write(dir, { "esm.ts": ESM_TS, "commonjs.ts": COMMONJS_TS });
    for (const file of ["esm.ts", "commonjs.ts"]) {
      const { code, stdout, stderr } = await run("node", [join(installed().folder, "node_modules/adhesive-bpmn/bin/adhesive.js"), file], dir);
      expect({ file, stderr }).toEqual({ file, stderr: "" });
      expect(code).toBe(0);
      expect(stdout).toContain('result: {"greeted":"hello"}');
    }
  });
});

describe("embedding adhesive with plain node, no tsx", () => {
  const app = (load: string) => `${load}
const engine = new Adhesive();
engine.task("Add {loop.value}", (ctx) => { ctx.data.sum = (ctx.data.sum ?? 0) + ctx.loop.value; });
engine.processStart().task("Add {loop.value}", { loop: "data.numbers" }).processEnd().build({ initialData: { numbers: [1, 2] } })
  .then((data) => console.log("numbers:", JSON.stringify(data.numbers)));
`;

  it("imports it from node app.mjs", async () => {
    const dir = await installed().project("embed-esm", { name: "embed-esm", type: "module" });
    await write(dir, { "app.mjs": app('import { Adhesive } from "adhesive-bpmn";') });
    const { code, stdout, stderr } = await run("node", ["app.mjs"], dir);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("numbers: [1,2]");
  });

  it("requires it from node app.cjs, the same module instance as import gets", async () => {
    const dir = await installed().project("embed-cjs", { name: "embed-cjs", type: "commonjs" });
    const check = `import("adhesive-bpmn").then((esm) => {
  const cjs = require("adhesive-bpmn");
  console.log("same instance:", esm.defaultAdhesive === cjs.defaultAdhesive && esm.TaskError === cjs.TaskError);
});
`;
    await write(dir, { "app.cjs": app('const { Adhesive } = require("adhesive-bpmn");') + check });
    const { code, stdout, stderr } = await run("node", ["app.cjs"], dir);
    // no ExperimentalWarning either: require(esm) of a file in node_modules is quiet
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("numbers: [1,2]");
    expect(stdout).toContain("same instance: true");
  });
});

/*
 * One `tsc --build` checks the six projects: it reads the libraries and
 * @types/node (most of the work, which a user's project does too) once for
 * all of them, where six `tsc -p` read them six times over (40 s of CPU).
 * Each project is checked with its own options all the same; the output of
 * each build is told apart by the line --verbose prints before it.
 */
describe("the types under tsc --strict --noEmit", () => {
  const USE = `import { Adhesive, TaskError, bpmnBuild, task, type Context, type Data } from "adhesive-bpmn";
task("Build {loop.value}", async (ctx: Context) => {
  await ctx.workspace.run("make");
});
new Adhesive().task({ re: /^Deploy (.+)$/ }, (ctx, target) => {
  ctx.data.target = target.toUpperCase();
});
// @ts-expect-error a matcher is a name, a list of names or an options object: if the types were any, this would fail
task(42, () => undefined);
export const run = (): Promise<Data> => bpmnBuild("deploy.bpmn").catch((error: unknown) => (error instanceof TaskError ? { failed: error.code } : {}));
`;
  const cases = [
    { module: "node16", resolution: "node16", type: "module" },
    { module: "node16", resolution: "node16", type: "commonjs" },
    { module: "nodenext", resolution: "nodenext", type: "module" },
    { module: "nodenext", resolution: "nodenext", type: "commonjs" },
    { module: "esnext", resolution: "bundler", type: "module" },
    { module: "esnext", resolution: "bundler", type: "commonjs" },
  ];
  /* per case: the project's tsconfig.json, and what tsc printed while it built that project (undefined: never built) */
  const projects = new Map<(typeof cases)[number], string>();
  const printed = new Map<string, string>();
  let build: Result;

  beforeAll(async () => {
    for (const testCase of cases) {
      const { module, resolution, type } = testCase;
      const dir = await installed().project(`types-${resolution}-${type}`, { name: "types", type });
      const compilerOptions = { strict: true, noEmit: true, module, moduleResolution: resolution, target: "es2022", types: ["node"] };
      await write(dir, { "tsconfig.json": JSON.stringify({ compilerOptions, include: ["*.ts", "*.cts"] }), "use.ts": USE });
      // a CommonJS file of a node16/nodenext project gets the require types (index.d.cts)
      if (type === "commonjs" && resolution !== "bundler") await write(dir, { "use-require.cts": 'import adhesive = require("adhesive-bpmn");\nadhesive.task("X", (ctx) => void ctx.workspace.pwd);\n' });
      projects.set(testCase, join(dir, "tsconfig.json"));
    }
    const tsc = join(installed().folder, "node_modules/typescript/bin/tsc");
    build = await run(process.execPath, [tsc, "--build", "--verbose", "--pretty", "false", ...projects.values()], installed().folder);
    // --verbose: "<time> - Building project '<tsconfig.json>'..." before a project's output, "<time> - Project '<tsconfig.json>' is ..." after it
    let current: string | undefined;
    for (const line of (build.stdout + build.stderr).split("\n")) {
      const building = /^.* - Building project '(.+)'\.\.\.$/.exec(line);
      if (building) printed.set((current = building[1]), "");
      else if (/^.* - (Project '.+' is|Projects in this build:)/.test(line)) current = undefined;
      else if (current !== undefined && line.trim() !== "") printed.set(current, `${printed.get(current)}${line}\n`);
    }
  }, 600_000);

  it.each(cases)("report no error with module $module, moduleResolution $resolution, in a $type project", (testCase) => {
    const project = projects.get(testCase)!;
    expect(printed.get(project), `tsc --build printed:\n${build.stdout}${build.stderr}`).toBe("");
    // tsc also exits 2 for another project's errors, which fail that project's test; a failure of no project fails them all
    const explained = [...printed.values()].some((output) => output !== "");
    expect(build.code === 0 || explained, `tsc --build exited ${build.code}:\n${build.stdout}${build.stderr}`).toBe(true);
  });
});
