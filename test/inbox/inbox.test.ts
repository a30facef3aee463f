/*
 * The inbox of a running run: messages by name with a correlation
 * expression, through the run's real control socket; user-task forms that
 * race between the terminal and an answer from outside.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { Adhesive, fromInbox, InboxError, UiBuilder } from "../../src/index.js";
import { fakeTerminal } from "../ui/fake-terminal.js";
import { requestControl } from "../../src/inbox/control-client.js";
import { PendingForms } from "../../src/inbox/forms.js";
import { racingUi } from "../../src/inbox/racing-ui.js";
import { liveRuns } from "../../src/live/registry.js";
import type { RunSummary as RunInfo } from "../../src/runs/summary.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/live/${name}`, import.meta.url));

let folders: string[] = [];
afterEach(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
  folders = [];
});

async function tempFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), "adhesive-inbox-"));
  folders.push(folder);
  return folder;
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Orders 1, 2 and 3 start at once and wait for their payments (from the inbox); `shipped` lists them as they ship. */
async function threeOrders(file: string) {
  const shipped: number[] = [];
  const adhesive = new Adhesive()
    .message("Order", function* () {
      yield* [{ id: 1 }, { id: 2 }, { id: 3 }];
    })
    .message("Paid", fromInbox)
    // the payment becomes data.event: the order is kept under its own key first
    .task("Book Order", (ctx) => void (ctx.data.order = ctx.data.event))
    .task("Ship", (ctx) => void shipped.push((ctx.data.order as { id: number }).id));
  const temp = await tempFolder();
  const done = adhesive.bpmnBuild(fixture(file), { inbox: true, tempFolder: temp, runsFolder: temp, initialData: {} });
  const run = await until(() => liveRuns().find((r) => r.runFolder.startsWith(temp)), "the run to be listed");
  return { shipped, done, run };
}

describe("messages into a running run", () => {
  it("go to the waiting tokens whose data the correlation expression accepts, JavaScript or FEEL", async () => {
    const { shipped, done, run } = await threeOrders("paid.bpmn");
    // the run is listed before its control socket listens and run.json names it
    const info = await until(async () => {
      const written = JSON.parse(await readFile(join(run.runFolder, "run.json"), "utf8")) as RunInfo;
      return written.control === undefined ? undefined : written;
    }, "run.json with the control socket");
    const send = (correlation: string, amount: number) =>
      requestControl(info.control!, { op: "send", message: "Paid", data: { amount }, correlation }, info.id) as Promise<{ delivered: number; elements: string[] }>;
    await until(() => (run.snapshot().elements.paid?.waiting === 3 ? true : undefined), "three orders waiting for payment");
    expect(await send("order.id === 2", 20)).toEqual({ delivered: 1, elements: ["paid"] });
    await until(() => (shipped.length === 1 ? true : undefined), "order 2 to ship");
    expect(shipped).toEqual([2]);
    expect(await send("= order.id = 3", 30)).toEqual({ delivered: 1, elements: ["paid"] });
    await expect(send("order.id === 2", 20)).rejects.toThrow('no token waits for message "Paid" whose data matches order.id === 2 now (at paid); it was not delivered');
    await expect(send("order.id ===", 1)).rejects.toMatchObject({ code: "ADHESIVE_BAD_CORRELATION" });
    expect(await send("order.id === 1", 10)).toEqual({ delivered: 1, elements: ["paid"] });
    await done;
    expect(shipped).toEqual([2, 3, 1]);
    // the run ended: its socket is gone, and the sender hears so
    await expect(send("true", 0)).rejects.toThrow(`run ${info.id} is not running (its process has ended)`);
  });

  it("with a correlation key, go to the tokens whose Zeebe subscription key has that value", async () => {
    const { shipped, done, run } = await threeOrders("paid-zeebe.bpmn");
    await until(() => (run.snapshot().elements.paid?.waiting === 3 ? true : undefined), "three orders waiting for payment");
    expect(await run.inbox.send({ message: "Paid", data: { amount: 20 }, key: "2" })).toEqual({ delivered: 1, elements: ["paid"] });
    await until(() => (shipped.length === 1 ? true : undefined), "order 2 to ship");
    await expect(run.inbox.send({ message: "Paid", data: {}, key: "9" })).rejects.toThrow('no token waits for message "Paid" with correlation key "9" now (at paid); it was not delivered');
    await expect(run.inbox.send({ message: "Paid", data: {}, key: "1", correlation: "true" })).rejects.toThrow("a correlation key or a correlation expression, not both");
    // a number is a key as its text, as Zeebe's keys are
    expect(await run.inbox.send({ message: "Paid", data: { amount: 30 }, key: 3 }, { javascript: false })).toEqual({ delivered: 1, elements: ["paid"] });
    expect(await run.inbox.send({ message: "Paid", data: { amount: 10 }, key: "1" })).toEqual({ delivered: 1, elements: ["paid"] });
    await done;
    expect(shipped).toEqual([2, 3, 1]);
  });

  it("refuses a message the process does not have, naming the ones it has", async () => {
    const adhesive = new Adhesive().message("Order", () => [{ id: 1 }]).message("Paid", fromInbox).task("Ship", () => undefined);
    const temp = await tempFolder();
    let release!: () => void;
    adhesive.task({ re: /^Book Order$/ }, () => new Promise<void>((resolve) => (release = resolve)));
    const done = adhesive.bpmnBuild(fixture("paid.bpmn"), { inbox: true, tempFolder: temp, runsFolder: temp });
    const run = await until(() => liveRuns().find((r) => r.runFolder.startsWith(temp)), "the run to be listed");
    await expect(run.inbox.send({ message: "Refund", data: {} })).rejects.toThrow(new InboxError("ADHESIVE_NO_SUCH_MESSAGE", 'the process has no message event "Refund"; its messages: Order, Paid', 404));
    await until(() => (release === undefined ? undefined : true), "Book Order to run");
    release();
    await until(() => (run.snapshot().elements.paid?.waiting === 1 ? true : undefined), "the order to wait");
    await expect(run.inbox.send({ message: "Paid", data: {}, key: "1" })).rejects.toThrow('message "Paid" has no correlation key (zeebe:subscription correlationKey) at paid to match "1": send a correlation expression instead');
    expect(await run.inbox.send({ message: "paid", data: { amount: 1 } })).toEqual({ delivered: 1, elements: ["paid"] });
    await done;
  });
});

describe("messages at gateways and boundary events", () => {
  const engineFixture = (name: string) => fileURLToPath(new URL(`../fixtures/engine/events/${name}`, import.meta.url));

  async function started(adhesive: Adhesive, file: string) {
    const temp = await tempFolder();
    // a task waiting for its boundary event holds a pool slot: leave room for the paths the messages start,
    // however few CPUs the default pool size counts (taskset)
    const done = adhesive.bpmnBuild(file, { inbox: true, tempFolder: temp, runsFolder: temp, poolSize: 4 });
    const run = await until(() => liveRuns().find((r) => r.runFolder.startsWith(temp)), "the run to be listed");
    return { run, done };
  }

  it("an event-based gateway takes the message path and withdraws its timer", async () => {
    const shipped: unknown[] = [];
    const adhesive = new Adhesive()
      .task(["Place Order", "Cancel Order"], () => undefined)
      .task("Ship Order", (ctx) => void shipped.push(ctx.data.event))
      .message("Payment Received", fromInbox);
    const { run, done } = await started(adhesive, engineFixture("event-gateway.bpmn"));
    await until(() => (run.snapshot().elements.gw?.waiting === 1 ? true : undefined), "the gateway to wait");
    expect(await run.inbox.send({ message: "Payment Received", data: { amount: 3 } })).toEqual({ delivered: 1, elements: ["payment"] });
    await done;
    expect(shipped).toEqual([{ amount: 3 }]);
    expect(run.snapshot().flows).toMatchObject({ f3: 1, f5: 1 });
    expect(run.snapshot().flows.f2).toBeUndefined();
  });

  it("a non-interrupting boundary event forks per message, an interrupting one cancels the task", async () => {
    const notes: unknown[] = [];
    const adhesive = new Adhesive()
      .task("Wait For Approval", (ctx) => new Promise((resolve) => ctx.signal.addEventListener("abort", resolve)))
      .task(["Cancelled", "Approved"], () => undefined)
      .task("Note Comment", (ctx) => void notes.push(ctx.data.event))
      .message(["Cancel Request", "Comment"], fromInbox);
    const { run, done } = await started(adhesive, engineFixture("message-boundary.bpmn"));
    await until(() => (run.snapshot().elements.approval?.running === 1 ? true : undefined), "the approval to run");
    expect(await run.inbox.send({ message: "Comment", data: "first" })).toEqual({ delivered: 1, elements: ["comment"] });
    expect(await run.inbox.send({ message: "comment", data: "second" })).toEqual({ delivered: 1, elements: ["comment"] });
    await until(() => (notes.length === 2 ? true : undefined), "both comments noted");
    expect(await run.inbox.send({ message: "Cancel Request", data: { by: "ana" } })).toEqual({ delivered: 1, elements: ["cancelRequest"] });
    await done;
    expect(notes).toEqual(["first", "second"]);
    expect(run.snapshot().elements).toMatchObject({ approval: { cancelled: 1, completed: 0 }, cancelled: { completed: 1 } });
    expect(run.snapshot().elements.approved).toBeUndefined();
  });
});

function approvalForm() {
  const ui = new UiBuilder("Approve Order", { elementId: "approve", tokenId: 7 });
  ui.addInputText("approver", { title: "Approved by", value: "nobody" });
  ui.addRadioGroup("priority", { title: "Priority", values: ["low", "high"], value: "low" });
  ui.addInputPassword("pin", { title: "PIN", value: "s3cr3t-pin" });
  return ui.finish();
}

describe("a user-task form on the terminal and outside at once", () => {
  it("an answer from outside wins: the terminal withdraws its prompt and says why", async () => {
    const terminal = fakeTerminal();
    const forms = new PendingForms();
    const answer = racingUi(terminal.ui, forms).ask(approvalForm(), new AbortController().signal);
    await until(() => (terminal.screen().includes("Approved by") ? true : undefined), "the terminal prompt");
    const [view] = forms.list();
    expect(view).toMatchObject({ id: "1", taskName: "Approve Order", elementId: "approve", tokenId: 7 });
    // a password's preset never leaves the process
    expect(view.fields.find((field) => field.name === "pin")).toMatchObject({ value: undefined, hasValue: true });
    forms.answer("approve", { approver: "ana", priority: "high" }, "in the browser");
    expect(await answer).toEqual({ approver: "ana", priority: "high", pin: "s3cr3t-pin", OK: "OK" });
    await until(() => (terminal.screen().includes('form "Approve Order" closed: answered in the browser') ? true : undefined), "the withdrawn prompt");
    expect(forms.list()).toEqual([]);
  });

  it("the terminal's answer wins: the form is gone for everyone else", async () => {
    const terminal = fakeTerminal();
    const forms = new PendingForms();
    const answer = racingUi(terminal.ui, forms).ask(approvalForm(), new AbortController().signal);
    // the whole form: a new name (Ctrl-U clears the preset), Enter past the priority and PIN, Enter on OK
    await terminal.answer("[ OK ]", "\u0015bo\r\r\r\r");
    expect(await answer).toEqual({ approver: "bo", priority: "low", pin: "s3cr3t-pin", OK: "OK" });
    expect(forms.list()).toEqual([]);
    expect(() => forms.answer("Approve Order", {}, "in the browser")).toThrow('no user task "Approve Order" waits for an answer (no user task waits for an answer)');
  });

  it("refuses answers that do not fit the form, and keeps it open", async () => {
    const forms = new PendingForms();
    const answer = racingUi(undefined, forms).ask(approvalForm(), new AbortController().signal);
    expect(() => forms.answer("1", { aprover: "x" }, "with adhesive complete")).toThrow('user task "Approve Order" has no field "aprover"; its fields: approver, priority, pin, OK');
    expect(() => forms.answer("1", { priority: "urgent" }, "with adhesive complete")).toThrow('field "priority" has no choice "urgent"; choices: low, high');
    expect(() => forms.answer("1", [1], "with adhesive complete")).toThrow("the answer must be a JSON object");
    expect(forms.list()).toHaveLength(1);
    forms.answer("Approve Order", { pin: "" }, "with adhesive complete");
    // an empty password keeps the preset, as Enter does on the terminal
    expect(await answer).toEqual({ approver: "nobody", priority: "low", pin: "s3cr3t-pin", OK: "OK" });
  });

  it("presses one of the buttons that share a name by its value, and refuses a value none of them has", async () => {
    const forms = new PendingForms();
    const ui = new UiBuilder("Review Release", { elementId: "review", tokenId: 3 });
    ui.addDefaultButton("decision", { value: "approve" });
    ui.addDefaultButton("decision", { value: "reject" });
    const answer = racingUi(undefined, forms).ask(ui.finish(), new AbortController().signal);
    expect(forms.list()[0].fields.map((field) => [field.name, field.title, field.value])).toEqual([
      ["decision", "approve", "approve"],
      ["decision", "reject", "reject"],
    ]);
    expect(() => forms.answer("review", { decision: true }, "with adhesive complete")).toThrow(
      'user task "Review Release": the buttons "decision" have the values "approve", "reject"; answer "decision" with one of them, not true',
    );
    forms.answer("review", { decision: "reject" }, "with adhesive complete");
    expect(await answer).toEqual({ decision: "reject" });
  });

  it("a cancelled task withdraws the form everywhere", async () => {
    const forms = new PendingForms();
    const cancel = new AbortController();
    const answer = racingUi(undefined, forms).ask(approvalForm(), cancel.signal);
    expect(forms.list()).toHaveLength(1);
    cancel.abort(new Error("the task was cancelled"));
    await expect(answer).rejects.toThrow("the task was cancelled");
    expect(forms.list()).toEqual([]);
  });
});
