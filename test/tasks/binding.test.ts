/*
 * Which implementation runs each element (src/tasks/): a name as drawn,
 * folded; an unnamed element by its id; a regular expression with its
 * groups; every element without exactly one implementation named before
 * anything runs; a matcher that cannot match anything refused where it is
 * declared.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adhesive, UnmappedTaskError, UsageError, type Matcher } from "../../src/index.js";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const noop = () => undefined;

describe("an element's implementation", () => {
  it("is found by the element's name written once, however the modeler broke or spaced it, and by its id when it has no name", async () => {
    const ran: string[] = [];
    const adhesive = new Adhesive().task(["Build the app", "Run tests", "cleanup"], (ctx) => void ran.push(ctx.task.id));
    await adhesive.bpmnBuild(fixture("tasks/names.bpmn"));
    expect(ran).toEqual(["build", "test", "cleanup"]);
  });

  it("passes regular expression capture groups after ctx", async () => {
    const adhesive = new Adhesive();
    const args: string[][] = [];
    adhesive.task({ re: /^(First) (\w)$/ }, (_ctx, ...groups) => void args.push(groups));
    adhesive.task("Both Done", noop);
    await adhesive.bpmnBuild(fixture("engine/start-points.bpmn"));
    expect(args.sort()).toEqual([["First", "A"], ["First", "B"]]);
  });
});

describe("elements without exactly one implementation", () => {
  it("reports every missing and ambiguous implementation before anything runs", async () => {
    const adhesive = new Adhesive();
    let ran = 0;
    adhesive.task("Left", () => void ran++);
    adhesive.task({ re: /^Tog/ }, noop);
    adhesive.task({ re: /ether$/ }, noop);
    const error = await adhesive.bpmnBuild(fixture("engine/parallel-join.bpmn")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnmappedTaskError);
    const problems = (error as UnmappedTaskError).problems;
    expect(problems.map((p) => p.elementId)).toEqual(["right", "together"]);
    expect(problems[0].message).toContain('no implementation matches; add task("Right"');
    expect(problems[1].message).toContain("matched by 2 implementations: task(/^Tog/)");
    expect((error as Error).message).toContain("parallel-join.bpmn");
    expect(ran).toBe(0);
  });
});

describe("a matcher that can match nothing", () => {
  const refused = (matcher: Matcher, fn: unknown = noop) => {
    try {
      new Adhesive().task(matcher, fn as () => undefined);
    } catch (error) {
      return error;
    }
    return undefined;
  };

  it("is refused where it is declared: no name, no pattern and no job type; a regular expression that does not compile; an implementation that is not a function", () => {
    expect(refused({ when: "ready" })).toBeInstanceOf(UsageError);
    expect((refused({ when: "ready" }) as Error).message).toContain("task() needs a name, a list of names, { re } or { type }");
    expect((refused([]) as Error).message).toContain("task() needs a name");
    expect((refused({ re: "Build (" }) as Error).message).toMatch(/^invalid task regular expression "Build \(": /);
    expect((refused("Build", "not a function") as Error).message).toBe('task("Build"): the implementation must be a function');
  });
});
