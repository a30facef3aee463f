/*
 * The scripted provider answers user tasks without a person (tests, CI); its
 * answers have the same shape as the terminal UI's.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adhesive, TaskError, UiBuilder, scriptedUi, type UserTaskForm } from "../../src/index.js";

const signal = new AbortController().signal;

function form(taskName: string, fill: (ui: UiBuilder) => void): UserTaskForm {
  const builder = new UiBuilder(taskName);
  fill(builder);
  return builder.finish();
}

const sample = () =>
  form("Sample", (ui) => {
    ui.addInputText("name");
    ui.addInputPassword("secret", { value: "default-pw" });
    ui.addCombobox("colour", { values: ["red", "blue"] });
    ui.addCheckboxGroup("features", { values: ["a", "b"] });
    ui.addRadioGroup("size", { value: "M", values: ["S", "M", "L"] });
    ui.addDefaultButton("approve", { value: true });
    ui.addDefaultButton("reject", { value: false });
  });

describe("scriptedUi", () => {
  it("keeps defaults for unanswered fields and presses the first button", async () => {
    expect(await scriptedUi({}).ask(sample(), signal)).toEqual({
      name: "",
      secret: "default-pw",
      colour: undefined,
      features: [],
      size: "M",
      approve: true,
    });
  });

  it("uses the given answers and presses the answered button with its value", async () => {
    const answers = await scriptedUi({ name: "Ann", features: ["b"], reject: "clicked" }).ask(sample(), signal);
    expect(answers).toMatchObject({ name: "Ann", features: ["b"], reject: false });
    expect(answers).not.toHaveProperty("approve");
  });

  it("answers per form when given a function", async () => {
    const ui = scriptedUi((f) => ({ name: `for ${f.taskName}` }));
    expect(await ui.ask(sample(), signal)).toMatchObject({ name: "for Sample" });
  });

  it("adds an implicit OK button to a form without buttons", async () => {
    const f = form("Plain", (ui) => ui.addInputText("x"));
    expect(await scriptedUi({ x: "1" }).ask(f, signal)).toEqual({ x: "1", OK: "OK" });
  });

  it("rejects a field added twice", () => {
    expect(() => form("Twice", (ui) => {
      ui.addInputText("x");
      ui.addCombobox("x");
    })).toThrow(/field "x" is added twice/);
  });
});

describe("user tasks in a run", () => {
  const bpmn = fileURLToPath(new URL("../fixtures/ui/parallel-forms.bpmn", import.meta.url));

  function forms(adhesive: Adhesive): Adhesive {
    return adhesive
      .usertask("Enter Details", (_ctx, ui) => {
        ui.addInputText("name");
        ui.addCombobox("colour", { value: "g", values: [["r", "Red"], ["g", "Green"]] });
      })
      .usertask("Choose Options", (_ctx, ui) => {
        ui.addCheckboxGroup("features", { value: ["lint"], values: ["lint", "test"] });
        ui.addDefaultButton("approve", { value: "yes" });
      })
      .task("Background Work", (ctx) => {
        ctx.data.background = true;
      })
      .task("Summarize", (ctx) => {
        ctx.data.summary = `${String(ctx.data.name)}/${String(ctx.data.colour)}`;
      });
  }

  it("puts the answers of both parallel forms into ctx.data: the pressed button the task declared, not the OK a form without buttons gets", async () => {
    const asked: string[] = [];
    const ui = scriptedUi((f) => {
      asked.push(f.taskName);
      return f.taskName === "Enter Details" ? { name: "Zoe" } : { features: ["test"] };
    });
    const data = await forms(new Adhesive()).bpmnBuild(bpmn, { ui });
    expect(asked.sort()).toEqual(["Choose Options", "Enter Details"]);
    expect(data).toEqual({ name: "Zoe", colour: "g", features: ["test"], approve: "yes", background: true, summary: "Zoe/g" });
  });

  it("a usertask() that adds nothing is a confirmation and changes no data; a button the task declares lands with its value", async () => {
    const asked: UserTaskForm[] = [];
    const adhesive = new Adhesive()
      .usertask("Enter Details", () => undefined)
      .usertask("Choose Options", (_ctx, ui) => ui.addDefaultButton("go", { title: "Go ahead" }))
      .task(["Background Work", "Summarize"], () => undefined);
    const data = await adhesive.bpmnBuild(bpmn, { ui: scriptedUi((f) => (asked.push(f), {})) });
    // the confirmation still shows a button to submit it
    expect(asked.find((f) => f.taskName === "Enter Details")?.fields.map((f) => [f.kind, f.name])).toEqual([["button", "OK"]]);
    expect(data).toEqual({ go: "go" });
  });

  it("fails the run with a TaskError when the provider rejects", async () => {
    const ui = scriptedUi(() => Promise.reject(new Error("nobody home")));
    await expect(forms(new Adhesive()).bpmnBuild(bpmn, { ui })).rejects.toBeInstanceOf(TaskError);
  });
});

describe("buttons that share a name", () => {
  const review = () =>
    form("Review Release", (ui) => {
      ui.addInputText("note");
      ui.addDefaultButton("decision", { value: "approve" });
      ui.addDefaultButton("decision", { title: "Send back", value: "reject" });
      ui.addDefaultButton("escalate", { value: true });
    });

  it("are labelled by their value unless titled, and press by the value answered under their name", async () => {
    expect(review().fields.filter((f) => f.kind === "button").map((f) => [f.name, f.title])).toEqual([
      ["decision", "approve"],
      ["decision", "Send back"],
      ["escalate", "escalate"],
    ]);
    expect(await scriptedUi({ decision: "reject" }).ask(review(), signal)).toEqual({ note: "", decision: "reject" });
    expect(await scriptedUi({}).ask(review(), signal)).toEqual({ note: "", decision: "approve" });
    expect(await scriptedUi({ escalate: "yes" }).ask(review(), signal)).toEqual({ note: "", escalate: true });
    await expect(scriptedUi({ decision: "maybe" }).ask(review(), signal)).rejects.toThrow(
      'user task "Review Release": the buttons "decision" have the values "approve", "reject"; the answer "maybe" presses none of them',
    );
  });

  it("need different values, and no other kind of field may have their name", () => {
    expect(() => form("Twice", (ui) => {
      ui.addDefaultButton("decision", { value: "approve" });
      ui.addDefaultButton("decision", { value: "approve", title: "Approve too" });
    })).toThrow('two buttons "decision" with the value "approve"; buttons that share a name need different values');
    // without values both would write their name
    expect(() => form("No values", (ui) => {
      ui.addDefaultButton("go");
      ui.addDefaultButton("go");
    })).toThrow(/two buttons "go"/);
    expect(() => form("Mixed", (ui) => {
      ui.addInputText("decision");
      ui.addDefaultButton("decision", { value: "approve" });
    })).toThrow(/field "decision" is added twice/);
  });

  it("write the pressed button's value into the data the next task sees", async () => {
    const seen: unknown[] = [];
    const data = await new Adhesive()
      .usertask("Review Release", (_ctx, ui) => {
        ui.addDefaultButton("decision", { value: "approve" });
        ui.addDefaultButton("decision", { value: "reject" });
      })
      .task("Record Decision", (ctx) => void seen.push(ctx.data.decision))
      .processStart()
      .usertask("Review Release")
      .task("Record Decision")
      .processEnd()
      .build({ ui: scriptedUi({ decision: "reject" }), journal: false });
    expect(seen).toEqual(["reject"]);
    expect(data.decision).toBe("reject");
  });
});
