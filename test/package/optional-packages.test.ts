/*
 * The packages only some users need are optional peer dependencies, which
 * a plain install of the tarball leaves out (installed.ts): ssh2 (ssh
 * workspaces and lanes), @inquirer/core (user task forms on the terminal)
 * and bpmnlint (adhesive lint). Without one, its feature fails saying which
 * package to install, with ADHESIVE_MISSING_PACKAGE; with it installed
 * beside adhesive, the same feature gets past loading it.
 */
import { existsSync, readFileSync } from "node:fs";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { root, run, useInstalledPackage } from "./installed.js";

const installed = useInstalledPackage();

/* each feature, tried from a script in the project; it prints the code and message of what stopped it */
const SCRIPT = `
import { PassThrough, Writable } from "node:stream";
import { Adhesive, UiBuilder, ssh, terminalUi } from "adhesive-bpmn";

// the innermost of adhesive's own errors: a task's failure wraps the feature's
const why = (error) => {
  while (String(error.cause?.code).startsWith("ADHESIVE_")) error = error.cause;
  return \`\${error.code}: \${error.message}\`;
};

const adhesive = new Adhesive();
// port 1 on this machine: nothing listens, so with ssh2 the connection is refused
adhesive.task("Deploy", (ctx) => ssh.inside(ctx.workspace, { host: "127.0.0.1", port: 1, username: "deploy", password: "x" }, () => undefined));
await adhesive.processStart().task("Deploy").processEnd().build({ journal: false }).then(
  () => console.log("ssh: connected"),
  (error) => console.log("ssh:", why(error)),
);

const screen = new Writable({ write: (_chunk, _encoding, done) => done() });
const ui = terminalUi({ input: new PassThrough(), output: screen, color: false });
const form = new UiBuilder("Approve");
form.addInputText("approver");
const stop = new AbortController();
setTimeout(() => stop.abort(new Error("closed by the test")), 2000);
await ui.ask(form.finish(), stop.signal).then(
  () => console.log("form: answered"),
  (error) => console.log("form:", why(error)),
);
`;

const packageVersion = (name: string): string => (JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;

async function tryFeatures(project: string): Promise<{ script: string; lint: string; lintCode: number | null }> {
  await writeFile(join(project, "features.mjs"), SCRIPT);
  const script = await run(process.execPath, ["features.mjs"], project, { NO_COLOR: "1" });
  const diagram = join(installed().folder, "node_modules/adhesive-bpmn/examples/hello/hello.bpmn");
  const own = join(project, "node_modules/adhesive-bpmn/bin/adhesive.js");
  const lint = await run(process.execPath, [existsSync(own) ? own : installed().bin, "lint", diagram], project, { NO_COLOR: "1" });
  return { script: script.stdout + script.stderr, lint: lint.stdout + lint.stderr, lintCode: lint.code };
}

describe("optional packages, in a project from the packed tarball", () => {
  let without: Awaited<ReturnType<typeof tryFeatures>>;
  let withThem: Awaited<ReturnType<typeof tryFeatures>>;

  beforeAll(async () => {
    // the shared install: the tarball alone
    const bare = await installed().project("bare");
    without = await tryFeatures(bare);
    const full = await installed().project("full");
    await installed().installInto(full, Object.fromEntries(["ssh2", "@inquirer/core", "bpmnlint"].map((name) => [name, packageVersion(name)])));
    withThem = await tryFeatures(full);
  }, 900_000);

  it("a plain install holds none of them, and no package has an install script (README, Install)", async () => {
    const modules = join(installed().folder, "node_modules");
    const names = (await readdir(modules)).flatMap((name) => (name.startsWith("@") ? [] : [name]));
    const scoped = await Promise.all((await readdir(modules)).filter((name) => name.startsWith("@")).map(async (scope) => (await readdir(join(modules, scope))).map((name) => `${scope}/${name}`)));
    const packages = [...names, ...scoped.flat()].filter((name) => existsSync(join(modules, name, "package.json")));
    const withScripts = packages.filter((name) => {
      const scripts = (JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8")) as { scripts?: Record<string, string> }).scripts ?? {};
      return ["preinstall", "install", "postinstall"].some((script) => script in scripts);
    });

    for (const optional of ["ssh2", "@inquirer/core", "bpmnlint", "bullmq", "ioredis"]) expect(packages).not.toContain(optional);
    expect(withScripts).toEqual([]);
  });

  it("ssh workspaces fail naming ssh2 when it is missing, and connect with it", () => {
    expect(without.script).toContain("ssh: ADHESIVE_MISSING_PACKAGE: ssh (ssh.connect, ssh.inside, ssh.lane) needs the ssh2 package, which is not installed: run `npm install ssh2` in your project");
    expect(withThem.script).toMatch(/ssh: ADHESIVE_SSH_CONNECT: .*refused/);
  });

  it("a form on the terminal fails naming @inquirer/core when it is missing, and is shown with it", () => {
    expect(without.script).toContain("form: ADHESIVE_MISSING_PACKAGE: a user task form on the terminal needs the @inquirer/core package, which is not installed: run `npm install @inquirer/core` in your project");
    expect(withThem.script).toMatch(/form: .*closed by the test/);
    expect(withThem.script).not.toContain("MISSING_PACKAGE");
  });

  it("adhesive lint fails naming bpmnlint when it is missing, and lints with it", () => {
    expect(without.lint).toContain("error: adhesive lint needs the bpmnlint package, which is not installed: run `npm install bpmnlint` in your project");
    expect(without.lintCode).toBe(2);
    expect(withThem.lint).toMatch(/^ok {4}.*hello\.bpmn$/m);
    expect(withThem.lintCode).toBe(0);
  });
});
