/*
 * Issue 18, item 7: no secret leaks, in any encoding, and no escape
 * sequence from data reaches the terminal raw. The real CLI with --ui runs
 * a process in a throw-away project whose secret has a quote, a backslash,
 * a space, a slash and a dollar: a task reads it with withSecret into data
 * and prints it in several encodings, the next task's name is rendered from
 * it (terminal line, log file name), another's from a value with an OSC and
 * a CSI sequence, one fails with both into its error boundary, and the last
 * fails the run with both. While the run holds, the live view's API and
 * event stream and the run's control socket are asked; afterwards the
 * terminal output, the log files and their names, the journal, the view
 * file and `adhesive runs show`.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodingsOf } from "../../src/secrets/redact.js";
import { builtCli, builtPackage } from "../built-package.js";
import { startCli, type CliRun } from "../web/cli-run.js";

const SECRET = 'p"a\\ss w/o$rd';
const TITLE = "\u001b]0;pwned\u0007 and \u001b[2J";
/* what TITLE looks like on the terminal: every control character escaped, nothing taken out */
const TITLE_SHOWN = "\\x1b]0;pwned\\x07 and \\x1b[2J";

const BPMN = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" targetNamespace="http://adhesive.test">
  <process id="leaky" name="Leaky" isExecutable="true">
    <startEvent id="start"/>
    <task id="read" name="Read Secret"/>
    <task id="use" name="Use {data.pw}"/>
    <task id="show" name="Show {data.title}"/>
    <task id="check" name="Check {data.pw}"/>
    <boundaryEvent id="check_failed" attachedToRef="check"><errorEventDefinition/></boundaryEvent>
    <task id="hold" name="Hold"/>
    <task id="fail" name="Fail {data.title}"/>
    <endEvent id="end"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="read"/>
    <sequenceFlow id="f2" sourceRef="read" targetRef="use"/>
    <sequenceFlow id="f3" sourceRef="use" targetRef="show"/>
    <sequenceFlow id="f4" sourceRef="show" targetRef="check"/>
    <sequenceFlow id="f5" sourceRef="check_failed" targetRef="hold"/>
    <sequenceFlow id="f6" sourceRef="hold" targetRef="fail"/>
    <sequenceFlow id="f7" sourceRef="fail" targetRef="end"/>
  </process>
</definitions>
`;

const PROCESS = `import { access } from "node:fs/promises";
import { bpmnBuild, task, withSecret } from "adhesive-bpmn";

task("Read Secret", (ctx) => withSecret(ctx.workspace, "token", "token.txt", async () => {
  const pw = (await ctx.workspace.readFile("token.txt")).trim();
  ctx.data.pw = pw;
  ctx.data.title = ${JSON.stringify(TITLE)};
  ctx.data.nested = { pw, [pw]: "as a key", list: [pw] };
  await ctx.workspace.run("cat token.txt");
  console.log("json " + JSON.stringify({ pw }));
  console.log("url " + encodeURIComponent(pw) + " query " + new URLSearchParams({ pw }));
  console.log("shell '" + pw.replace(/'/g, "'\\\\''") + "'");
  console.log("base64 " + Buffer.from("x" + pw).toString("base64"));
}));
task({ re: /^Use / }, () => console.log("using it"));
task({ re: /^Show / }, (ctx) => console.log("showing " + ctx.data.title));
task({ re: /^Check / }, (ctx) => {
  throw new Error("refused " + JSON.stringify(ctx.data.pw) + " for " + ctx.data.title);
});
task("Hold", async () => {
  while (!(await access("release").then(() => true, () => false))) await new Promise((resolve) => setTimeout(resolve, 25));
});
task({ re: /^Fail / }, (ctx) => {
  console.log("failing " + ctx.data.title + " with " + ctx.data.pw);
  throw new Error("gave up on " + ctx.data.title + " with " + ctx.data.pw);
});

await bpmnBuild(new URL("leaky.bpmn", import.meta.url).pathname);
`;

/** Every place a text can hold the secret: each form redact() knows, plus the file-safe one a log file name would have. */
function leaks(text: string): string[] {
  const forms = [...encodingsOf(SECRET), SECRET.replace(/[^\w.-]+/g, "_")];
  return forms.filter((form) => text.includes(form));
}

/* the journal keeps values JSON cannot carry as base64 of v8.serialize: decoded, they must not hold it either */
function decodedValues(journal: string): string {
  return [...journal.matchAll(/"x":"([A-Za-z0-9+/=]+)"/g)].map((match) => Buffer.from(match[1], "base64").toString("latin1")).join("\n");
}

let project: string;
let run: CliRun;
let url: URL;
let token: string;
let id: string;

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), "adhesive-encodings-"));
  await mkdir(join(project, ".adhesive", "secrets"), { recursive: true });
  await writeFile(join(project, ".adhesive", "secrets", "token"), `${SECRET}\n`);
  await mkdir(join(project, "node_modules"));
  await symlink(await builtPackage(), join(project, "node_modules", "adhesive-bpmn"));
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "encodings", type: "module", private: true }));
  await writeFile(join(project, "leaky.bpmn"), BPMN);
  await writeFile(join(project, "leaky.ts"), PROCESS);
  run = startCli(["--ui", "leaky.ts"], project);
  const [, printed] = await run.waitFor(/live view: (http:\S+)/);
  url = new URL(printed);
  token = url.searchParams.get("token")!;
  id = await run.runId();
}, 60_000);

afterAll(async () => {
  run?.child.kill("SIGKILL");
  await rm(project, { recursive: true, force: true });
});

function get(path: string, init: { method?: string; body?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: `127.0.0.1:${url.port}`, "x-adhesive-token": token };
    if (init.body !== undefined) headers["content-type"] = "application/json";
    const req = request({ host: "127.0.0.1", port: url.port, path, method: init.method ?? "GET", agent: false, timeout: 20_000, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
        // the event stream never ends: its first message is what is looked at
        if (res.headers["content-type"]?.startsWith("text/event-stream") && body.includes("\n\n")) res.destroy();
      });
      res.on("close", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer to ${path}`)));
    req.on("error", reject);
    req.end(init.body);
  });
}

/** One request on the run's control socket, as adhesive send and complete make them. */
function control(socket: string, request: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const connection = createConnection(socket);
    let answer = "";
    connection.setEncoding("utf8");
    connection.setTimeout(20_000, () => connection.destroy(new Error("no answer on the control socket")));
    connection.on("data", (chunk: string) => (answer += chunk));
    connection.on("end", () => resolve(answer));
    connection.on("error", reject);
    connection.end(`${JSON.stringify(request)}\n`);
  });
}

async function adhesive(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const bin = await builtCli();
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: project, env: run.env, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

describe("a secret with quotes, a backslash, a space, a slash and a dollar, held in data", () => {
  it("is in no answer of the live view while the run holds: API, logs, event stream, forms, errors", async () => {
    // the run holds once the check failed into its boundary event
    for (const deadline = Date.now() + 30_000; ; ) {
      const state = JSON.parse((await get(`/api/runs/${id}`)).body) as { elements: Record<string, { running: number }> };
      if (state.elements.hold?.running === 1) break;
      if (Date.now() > deadline) throw new Error(`the run did not reach Hold\n${run.stdout()}\n${run.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const answers: Record<string, string> = {};
    for (const path of ["/api/runs", `/api/runs/${id}`, `/api/runs/${id}/logs`, `/api/runs/${id}/forms`, `/api/runs/${id}/diagram`, `/api/runs/${id}/events`]) {
      const { status, body } = await get(path);
      expect(status, path).toBe(200);
      answers[path] = body;
    }
    const { logs } = JSON.parse(answers[`/api/runs/${id}/logs`]) as { logs: Array<{ file: string }> };
    expect(logs.map((log) => log.file)).toEqual(["Read_Secret.1.log", "Show_0_pwned_and_2J.1.log", "Use_.1.log"]);
    for (const { file } of logs) answers[file] = (await get(`/api/runs/${id}/logs/${encodeURIComponent(file)}`)).body;
    // an error that names what it was given: a form "named" after the secret
    const refused = await get(`/api/runs/${id}/forms/${encodeURIComponent(SECRET)}`, { method: "POST", body: "{}" });
    expect(refused.status).toBe(404);
    answers.refused = refused.body;
    // the failure the boundary caught is in the API, with its message masked and the title as data (JSON-escaped)
    expect(answers[`/api/runs/${id}`]).toContain('"message":"refused \\"********\\" for \\u001b]0;pwned\\u0007 and \\u001b[2J"');
    expect(answers[`/api/runs/${id}/events`]).toContain("event: update");
    for (const [where, text] of Object.entries(answers)) expect(leaks(text), where).toEqual([]);
  });

  it("is in no answer of the run's control socket", async () => {
    const info = JSON.parse(await readFile(join(project, "runs", id, "run.json"), "utf8")) as { control: string };
    const state = await control(info.control, { op: "state" });
    expect(state).toContain('"ok":true');
    expect(state).toContain("refused");
    const refused = await control(info.control, { op: "complete", task: SECRET, data: {} });
    expect(refused).toContain('"ok":false');
    const delivered = await control(info.control, { op: "send", message: SECRET, data: { pw: SECRET } });
    expect(delivered).toContain('"ok":false');
    for (const answer of [state, refused, delivered]) expect(leaks(answer), answer).toEqual([]);
  });

  it("is nowhere on the terminal, in the logs, their names, the journal, the view file or runs show; escape sequences show escaped", async () => {
    await writeFile(join(project, "release"), "");
    expect(await run.exited).toBe(1);
    const terminal = run.stdout() + run.stderr();
    // the task lines and the failure report name the tasks with the secret masked and the title's controls visible
    expect(terminal).toContain("done  Use ********");
    expect(terminal).toContain(`done  Show ${TITLE_SHOWN}`);
    expect(terminal).toContain(`caught  Check ********`);
    expect(terminal).toContain(`process failed: task "Fail ${TITLE_SHOWN}" (fail) failed: gave up on ${TITLE_SHOWN} with ********`);
    expect(terminal).toContain(`  | failing ${TITLE_SHOWN} with ********`);
    expect(terminal).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(leaks(terminal)).toEqual([]);

    const folder = join(project, "runs", id);
    const names = await readdir(join(folder, "logs"));
    // the names rendered from the secret have it masked before they are made file-safe
    expect(names.sort()).toEqual(["Fail_0_pwned_and_2J.2.log", "Read_Secret.1.log", "Show_0_pwned_and_2J.1.log", "Use_.1.log"]);
    expect(leaks(names.join("\n"))).toEqual([]);
    for (const name of names) expect(leaks(await readFile(join(folder, "logs", name), "utf8")), name).toEqual([]);
    const read = (await readFile(join(folder, "logs", "Read_Secret.1.log"), "utf8")).split("\n");
    expect(read.slice(0, 4)).toEqual(["********", 'json {"pw":"********"}', "url ******** query pw=********", "shell '********'"]);
    // base64 of "x" + the secret: the characters its bytes alone decide are masked
    expect(read[4]).toMatch(/^base64 [A-Za-z0-9+/]{0,3}\*{8}[A-Za-z0-9+/=]{0,4}$/);

    const journal = await readFile(join(folder, "journal.ndjson"), "utf8");
    expect(leaks(journal)).toEqual([]);
    expect(decodedValues(journal)).not.toContain(SECRET);
    expect(journal).toContain('"pw":"********"');
    for (const file of ["view.json", "run.json"]) expect(leaks(await readFile(join(folder, file), "utf8")), file).toEqual([]);

    const shown = await adhesive(["runs", "show", id]);
    expect(shown.stdout).toContain(join("logs", "Use_.1.log"));
    expect(leaks(shown.stdout + shown.stderr)).toEqual([]);
    expect(shown.stdout).toContain(`failed: gave up on ${TITLE_SHOWN} with ********`);
    expect(shown.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});
