/*
 * The terminal front end for user tasks: first with injected streams (fast,
 * exact key sequences), then the real CLI on a pseudo-terminal in tmux.
 */
import { execFile } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { TmuxServer, until } from "./tmux.js";
import { CancelledError, UiBuilder, UsageError, scriptedUi, terminalUi, type UserTaskForm } from "../../src/index.js";
import { fakeTerminal } from "./fake-terminal.js";
import { builtCli } from "../built-package.js";

const UP = "\u001b[A";
const DOWN = "\u001b[B";
const RIGHT = "\u001b[C";
const LEFT = "\u001b[D";
const TAB = "\t";
const SHIFT_TAB = "\u001b[Z";
const ENTER = "\r";
const SPACE = " ";
const CTRL_C = "\u0003";
/* readline's kill-to-start-of-line: clears a text field's preset */
const CTRL_U = "\u0015";
const HELP = "enter: next field, or press the button";

function form(taskName: string, fill: (ui: UiBuilder) => void): UserTaskForm {
  const builder = new UiBuilder(taskName);
  fill(builder);
  return builder.finish();
}

const everyKind = () =>
  form("Every Kind", (ui) => {
    ui.addInputText("name", { title: "Name", value: "anonymous" });
    ui.addInputPassword("secret", { title: "Secret" });
    ui.addCombobox("colour", { title: "Colour", value: "g", values: [["r", "Red"], ["g", "Green"], ["b", "Blue"]] });
    ui.addCheckboxGroup("features", { title: "Features", value: ["lint"], values: ["lint", "test", "docs"] });
    ui.addRadioGroup("size", { title: "Size", value: "M", values: ["S", "M", "L"] });
    ui.addDefaultButton("approve", { title: "Approve", value: "yes" });
    ui.addDefaultButton("reject", { title: "Reject", value: "no" });
  });

/** Whether `promise` has settled by now (every key written so far has been read once the screen shows its effect). */
function settled(promise: Promise<unknown>): () => boolean {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  return () => done;
}

describe("terminalUi with injected streams", () => {
  it("shows the whole form at once, every field with its preset and the buttons at its foot", async () => {
    const t = fakeTerminal();
    void t.ui.ask(everyKind(), new AbortController().signal);
    await until(() => t.screen().includes(HELP), "the form", t.screen);
    const first = t.screen();
    expect(first).toContain("User task: Every Kind");
    // the labels line up; the focus is on the first field; labels, not values, of the choices
    expect(first).toContain(
      [
        "❯ Name      anonymous",
        // (a drawn line's trailing blanks are left out)
        "  Secret",
        "  Colour    ‹ Green ›",
        "  Features  [x] lint",
        "            [ ] test",
        "            [ ] docs",
        "  Size      ( ) S  (•) M  ( ) L",
        "",
        "  [ Approve ]   [ Reject ]",
      ].join("\n"),
    );
  });

  it("edits any field in any order, going back to one already passed, and submits only with a button", async () => {
    const t = fakeTerminal();
    const answers = t.ui.ask(everyKind(), new AbortController().signal);
    const answered = settled(answers);
    // a new name, Tab to the password, Enter to the colour (Blue), lint off and test on, the size down to S
    await t.answer(HELP, `${CTRL_U}Bob${TAB}pw${ENTER}${RIGHT}${DOWN}${SPACE}${DOWN}${SPACE}${DOWN}${DOWN}${LEFT}`);
    // Enter on the last field moves on to the first button, and sends nothing
    await t.answer("❯ Size      (•) S", ENTER);
    await t.answer("❯ [ Approve ]", "");
    expect(answered()).toBe(false);
    // back up to the name, change it, then the colour again (round to Red), then Shift-Tab to the password
    await t.answer("❯ [ Approve ]", `${UP.repeat(7)}${CTRL_U}Robert${DOWN}${DOWN}${RIGHT}${SHIFT_TAB}`);
    // up from the first field goes round to the last stop: the Reject button
    await t.answer("❯ Secret    **", `${UP}${UP}`);
    await t.answer("  [ Approve ] ❯ [ Reject ]", ENTER);
    expect(await answers).toEqual({ name: "Robert", secret: "pw", colour: "r", features: ["test"], size: "S", reject: "no" });
    expect(Object.keys(await answers)).toEqual(["name", "secret", "colour", "features", "size", "reject"]);
    // the form as sent stays on the screen; the password never shows
    expect(t.drawing()).toBe(["  Name      Robert", "  Secret    **", "  Colour    Red", "  Features  test", "  Size      S", "✔ Reject", ""].join("\n"));
    expect(t.screen()).not.toContain("pw");
  });

  it("gives exactly what scriptedUi gives when Enter accepts every preset and presses the first button", async () => {
    const t = fakeTerminal();
    const answers = t.ui.ask(everyKind(), new AbortController().signal);
    // name, secret, colour, three features, size: Enter moves on; on Approve it presses
    await t.answer(HELP, ENTER.repeat(8));
    const scripted = await scriptedUi({}).ask(everyKind(), new AbortController().signal);
    const got = await answers;
    expect(got).toEqual(scripted);
    expect(Object.keys(got)).toEqual(Object.keys(scripted));
    expect(got).toEqual({ name: "anonymous", secret: "", colour: "g", features: ["lint"], size: "M", approve: "yes" });
  });

  it("keeps a preset's own type unless the field is edited", async () => {
    const t = fakeTerminal();
    const answers = t.ui.ask(
      form("Typed", (ui) => {
        ui.addInputText("replicas", { title: "Replicas", value: 3 });
        ui.addInputText("port", { title: "Port", value: 8080 });
      }),
      new AbortController().signal,
    );
    await t.answer(HELP, `${DOWN}${CTRL_U}9090${ENTER}${ENTER}`);
    expect(await answers).toEqual({ replicas: 3, port: "9090", OK: "OK" });
  });

  it("offers buttons that share a name side by side by their labels and answers with the pressed one's value", async () => {
    const t = fakeTerminal();
    const review = form("Review Release", (ui) => {
      ui.addDefaultButton("decision", { value: "approve" });
      ui.addDefaultButton("decision", { value: "reject" });
      ui.addDefaultButton("decision", { title: "Later", value: "defer" });
    });
    const answers = t.ui.ask(review, new AbortController().signal);
    await t.answer("❯ [ approve ]   [ reject ]   [ Later ]", RIGHT);
    await t.answer("  [ approve ] ❯ [ reject ]   [ Later ]", ENTER);
    expect(await answers).toEqual({ decision: "reject" });
  });

  it("gives a form without buttons an OK button to submit it with, made with UiBuilder or by hand", async () => {
    const t = fakeTerminal();
    const answers = t.ui.ask(form("Just Text", (ui) => ui.addInputText("x", { title: "X" })), new AbortController().signal);
    await t.answer("[ OK ]", `1${ENTER}`);
    await t.answer("❯ [ OK ]", ENTER);
    expect(await answers).toEqual({ x: "1", OK: "OK" });
    // a form made by hand, without UiBuilder.finish(), gets one too
    const other = fakeTerminal();
    const handMade = other.ui.ask({ taskName: "By Hand", fields: [{ kind: "text", name: "y", title: "Y", value: undefined, values: [] }] }, new AbortController().signal);
    await other.answer("[ OK ]", `2${ENTER}${ENTER}`);
    expect(await handMade).toEqual({ y: "2", OK: "OK" });
  });

  it("shows one form at a time, in arrival order, and says how many wait", async () => {
    const t = fakeTerminal();
    const order: string[] = [];
    const first = t.ui.ask(form("First", (ui) => ui.addInputText("a", { title: "Field A" })), new AbortController().signal).then((r) => {
      order.push("first");
      return r;
    });
    const second = t.ui.ask(form("Second", (ui) => ui.addInputText("b", { title: "Field B" })), new AbortController().signal).then((r) => {
      order.push("second");
      return r;
    });
    await until(() => t.screen().includes("Field A"), "the first form", t.screen);
    expect(t.screen()).toContain("User task: First (1 more form waiting)");
    expect(t.screen()).not.toContain("Second");
    await t.answer("Field A", `one${ENTER}${ENTER}`);
    await t.answer("Field B", `two${ENTER}${ENTER}`);
    expect(await first).toEqual({ a: "one", OK: "OK" });
    expect(await second).toEqual({ b: "two", OK: "OK" });
    expect(order).toEqual(["first", "second"]);
    expect(t.screen().indexOf("User task: Second")).toBeGreaterThan(t.screen().indexOf("  Field A  one\n✔ OK"));
  });

  it("closes the open form when its signal aborts, rejects with the reason and shows the next one", async () => {
    const t = fakeTerminal();
    const cancel = new AbortController();
    const open = t.ui.ask(form("Open", (ui) => ui.addInputText("a", { title: "Field A" })), cancel.signal);
    const next = t.ui.ask(form("Next", (ui) => ui.addInputText("b", { title: "Field B" })), new AbortController().signal);
    await until(() => t.screen().includes("Field A"), "the open form", t.screen);
    const reason = new Error("token cancelled");
    cancel.abort(reason);
    await expect(open).rejects.toBe(reason);
    await t.answer("Field B", `b${ENTER}${ENTER}`);
    expect(await next).toEqual({ b: "b", OK: "OK" });
  });

  it("drops a queued form when its signal aborts, so it is never shown", async () => {
    const t = fakeTerminal();
    const cancel = new AbortController();
    const open = t.ui.ask(form("Open", (ui) => ui.addInputText("a", { title: "Field A" })), new AbortController().signal);
    const queued = t.ui.ask(form("Dropped", (ui) => ui.addInputText("x", { title: "Field X" })), cancel.signal);
    const last = t.ui.ask(form("Last", (ui) => ui.addInputText("c", { title: "Field C" })), new AbortController().signal);
    await until(() => t.screen().includes("Field A"), "the open form", t.screen);
    cancel.abort("no longer needed");
    await expect(queued).rejects.toBe("no longer needed");
    await t.answer("Field A", `a${ENTER}${ENTER}`);
    await t.answer("Field C", `c${ENTER}${ENTER}`);
    expect(await open).toEqual({ a: "a", OK: "OK" });
    expect(await last).toEqual({ c: "c", OK: "OK" });
    expect(t.screen()).not.toContain("Dropped");
  });

  it("rejects at once when the signal is already aborted", async () => {
    const t = fakeTerminal();
    await expect(t.ui.ask(everyKind(), AbortSignal.abort("gone"))).rejects.toBe("gone");
  });

  it("turns Ctrl-C in a form into a CancelledError for it and every queued form", async () => {
    const t = fakeTerminal();
    const open = t.ui.ask(form("Open", (ui) => ui.addInputText("a", { title: "Field A" })), new AbortController().signal);
    const queued = t.ui.ask(form("Queued", (ui) => ui.addInputText("b", { title: "Field B" })), new AbortController().signal);
    await t.answer("Field A", CTRL_C);
    await expect(open).rejects.toBeInstanceOf(CancelledError);
    await expect(queued).rejects.toMatchObject({ code: "ADHESIVE_CANCELLED" });
  });
});

describe("terminalUi without a terminal", () => {
  const stdin = process.stdin as { isTTY?: boolean };
  const wasTty = stdin.isTTY;
  afterEach(() => {
    stdin.isTTY = wasTty;
  });

  it("rejects with a UsageError that says how to answer instead", async () => {
    stdin.isTTY = false;
    const error: unknown = await terminalUi()
      .ask(everyKind(), new AbortController().signal)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ code: "ADHESIVE_USAGE" });
    expect((error as Error).message).toContain('user task "Every Kind"');
    expect((error as Error).message).toContain("pass { ui: scriptedUi(...) } or run on a terminal");
  });
});

// ---- the real CLI on a pseudo-terminal -------------------------------------

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = await builtCli();
const fixtureFile = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const formsFile = fixtureFile("ui/forms.ts");
describe("adhesive on a terminal (tmux)", () => {
  const server = new TmuxServer();
  const socketDir = server.dir;
  afterAll(() => server.close());
  const startCli = (session: string, file = formsFile, env = "") => server.startCli(session, file, env);

  it("shows the two parallel forms one after the other and puts the answers in ctx.data", async () => {
    const backgroundGo = join(socketDir, "background-go");
    const backgroundDone = join(socketDir, "background-done");
    const { waitFor, keys, type } = startCli("forms", formsFile, `BACKGROUND_GO_FILE='${backgroundGo}' BACKGROUND_DONE_FILE='${backgroundDone}'`);
    // each form is shown whole: the keys go once it is drawn (keys typed before a form listens are dropped)
    const answerers: Record<string, { answer(): Promise<void>; done: RegExp }> = {
      "Enter Details": {
        async answer() {
          await waitFor(/❯ Your name\s*\n[^]*\[ OK \]\n.*enter: next field/);
          // a slip in the name, fixed after the colour is chosen: any field can be edited again before OK
          type("Alise");
          keys("Tab");
          type("s3cret");
          keys("Enter", "Right", "Up", "Up", "BSpace", "BSpace");
          type("ce");
          keys("Down", "Down", "Down");
          await waitFor(/Favourite colour  ‹ Blue ›\n\n❯ \[ OK \]/);
          keys("Enter");
        },
        done: /Your name {9}Alice\n {2}Your password {5}\*{6}\n {2}Favourite colour  Blue\n✔ OK/,
      },
      "Choose Options": {
        async answer() {
          await waitFor(/❯ Features  \[x\] lint/);
          keys("Down", "Space", "Down", "Down", "Right", "Down", "Right");
          await waitFor(/Size {6}\( \) S  \( \) M  \(•\) L\n\n {2}\[ Approve \] ❯ \[ Reject \]/);
          keys("Enter");
        },
        done: /Features  lint, test\n {2}Size {6}L\n✔ Reject/,
      },
    };

    const opening = await waitFor(/User task: (Enter Details|Choose Options)/);
    const first = /User task: (Enter Details|Choose Options)/.exec(opening)![1];
    const second = first === "Enter Details" ? "Choose Options" : "Enter Details";
    // the other token keeps running while the first form waits for a person, but its task line is held
    // (Background Work finishes only now that the form is open; where its line lands is checked below)
    writeFileSync(backgroundGo, "");
    await until(() => existsSync(backgroundDone), "Background Work to finish", () => "");
    const whileOpen = await waitFor(new RegExp(`run\\s+${second}`));
    expect(whileOpen).not.toMatch(/done\s+Background Work/);
    expect(whileOpen).not.toContain(`User task: ${second}`);

    await answerers[first].answer();
    const between = await waitFor(new RegExp(`User task: ${second}`));
    const firstDone = between.search(answerers[first].done);
    expect(firstDone).toBeGreaterThan(-1);
    // the held line comes right after the form it waited for, before the next form
    const heldLine = between.search(/done\s+Background Work (\d+ms|\d+\.\ds)/);
    expect(heldLine).toBeGreaterThan(firstDone);
    expect(between.indexOf(`User task: ${second}`)).toBeGreaterThan(heldLine);

    await answerers[second].answer();
    const end = await waitFor(/\[exit \d+\]/);
    expect(end).toContain("[exit 0]");
    const result = /^result: (.*)$/m.exec(end);
    expect(result, end).not.toBeNull();
    expect(JSON.parse(result![1])).toEqual({
      name: "Alice",
      password: "s3cret",
      colour: "b",
      features: ["lint", "test"],
      size: "L",
      reject: "no",
      background: true,
      summary: "Alice likes b",
    });
    // nothing was printed into a prompt line while it was typed in
    expect(end).not.toMatch(/(Your name|Features|Size).*\b(run|done)\s/);
    // the password is masked while typed: it only shows in the printed result
    expect(end.split("\n").filter((line) => line.includes("s3cret") && !line.startsWith("result: "))).toEqual([]);
  });

  it("redraws a live status line in place while a task runs, then leaves the task lines and a summary", async () => {
    // Left runs until the test has seen its status line redrawn, however slowly the screen is read
    const release = join(socketDir, "left-release");
    const { waitFor } = startCli("status", fixtureFile("cli/status.ts"), `LEFT_RELEASE='${release}'`);
    const early = await waitFor(/ · 1 done · 0 failed · 1 running: Left (\d+ms|\d+\.\ds)$/m);
    const shown = /running: Left (\S+)$/m.exec(early)![1];
    // a later drawing of the same line, past the first second: the time in it moved on
    const later = await waitFor(new RegExp(` · 1 done · 0 failed · 1 running: Left (?!${shown.replace(".", "\\.")}$)\\d+\\.\\ds$`, "m"));
    writeFileSync(release, "");
    // one status line, redrawn: the history never holds an old copy of it
    for (const screen of [early, later]) expect(screen.match(/running: Left/g)).toHaveLength(1);
    const end = await waitFor(/\[exit \d+\]/);
    expect(end).toContain("[exit 0]");
    expect(end).not.toContain("running: ");
    expect(end).toMatch(/^done +Left \d+\.\ds$/m);
    expect(end).toMatch(/^finished test\/fixtures\/engine\/parallel-join\.bpmn in (\d+\.\ds|\d+m\d+s): 3 done, 0 failed, 0 cancelled; run [0-9a-f-]{36}; logs \S+\/[0-9a-f-]{36}\/logs$/m);
    // the process file's own output after the run comes before the summary, which is last
    expect(end.indexOf("all done")).toBeLessThan(end.indexOf("finished "));
  });

  it("shows events/s while a message source delivers", async () => {
    // the source delivers until the test has seen the rate
    const stop = join(socketDir, "events-stop");
    const { waitFor } = startCli("events", fixtureFile("cli/events.ts"), `EVENTS_STOP='${stop}'`);
    const live = await waitFor(/ · \d+ done · 0 failed · [1-9]\d* events\/s/);
    writeFileSync(stop, "");
    expect(live.match(/events\/s/g)).toHaveLength(1);
    const end = await waitFor(/\[exit \d+\]/);
    // the run lasts as long as the test took to see the rate: any duration
    expect(end).toMatch(/^finished \S+burst-join\.bpmn in (\d+ms|\d+\.\ds|\d+m\d+s): \d+ done, 0 failed, 0 cancelled, \d+ events; run /m);
  });

  it("cancels the whole run on Ctrl-C in a form and exits 130", async () => {
    const { waitFor, keys } = startCli("ctrl-c");
    await waitFor(/User task: /);
    await waitFor(/Features|Your name/);
    keys("C-c");
    const end = await waitFor(/\[exit \d+\]/);
    expect(end).toContain("SIGINT: cancelling the running tasks");
    expect(end).toContain("[exit 130]");
    // the queued form is withdrawn with the run, never shown
    expect(end.match(/User task: /g)).toHaveLength(1);
  });
});

describe("adhesive off a terminal", () => {
  it("fails the user task with a clear message when no provider can answer", async () => {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [bin, formsFile], { cwd: root, timeout: 30_000 }, (error, _stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stderr });
      });
      child.stdin?.end();
    });
    expect(code).toBe(1);
    expect(stderr).toContain("needs an answer");
    expect(stderr).toContain("pass { ui: scriptedUi(...) } or run on a terminal");
  });
});
