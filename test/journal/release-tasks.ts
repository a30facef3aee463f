import { Adhesive } from "../../src/index.js";

/** The tasks of test/fixtures/durable/release.ts, without its call log */
export function releaseTasks(): Adhesive {
  return new Adhesive()
    .task("Prepare", (ctx) => void (ctx.data.version = "1.0"))
    .task("Build {loop.value}", (ctx) => void (ctx.data.built = new Set([`${String(ctx.loop!.value)}-${String(ctx.data.version)}`])))
    .task("Lint", (ctx) => void (ctx.data.lint = "ok"))
    .task("Test", (ctx) => void (ctx.data.tests = new Map([["passed", 42]])))
    .usertask("Approve", (_ctx, ui) => {
      ui.addCheckboxGroup("reviewers", { values: ["ana", "bo"] });
      ui.addDefaultButton("approved", { value: true });
    })
    .task("Publish", (ctx) => void (ctx.data.published = `${String(ctx.data.version)} for ${[...(ctx.data.built as Set<string>)].sort().join(", ")}`))
    .task("Skip", () => undefined);
}
