// A release that asks a person for its details while the tests run, then for
// approval. On a terminal: npx adhesive examples/user-task/_adhesive.ts
// Unattended (CI): pass { ui: scriptedUi({ version: "1.2.0", token: "t", publish: true }) } to bpmnBuild.
import { bpmnBuild, task, usertask } from "adhesive-bpmn";

usertask("Release Details", (_ctx, ui) => {
  ui.addInputText("version", { title: "Version to release", value: "1.0.0" });
  ui.addInputPassword("token", { title: "Registry token" });
  ui.addCombobox("channel", { title: "Channel", value: "stable", values: [["stable", "Stable"], ["beta", "Beta"], ["nightly", "Nightly"]] });
  ui.addCheckboxGroup("platforms", { title: "Platforms", value: ["linux"], values: ["linux", "macos", "windows"] });
});

// runs while the form above is open
task("Run Tests", async (ctx) => {
  await ctx.workspace.run("echo all tests passed");
  ctx.data.testsPassed = true;
});

usertask("Approve Release", (ctx, ui) => {
  ui.addRadioGroup("notes", { title: `Release notes for ${String(ctx.data.version)}`, value: "short", values: ["short", "full", "none"] });
  ui.addDefaultButton("publish", { title: "Publish", value: true });
  ui.addDefaultButton("hold", { title: "Hold back", value: true });
});

task("Publish Release", (ctx) => {
  ctx.data.published = true;
});

task("Skip Release", (ctx) => {
  ctx.data.published = false;
});

const data = await bpmnBuild("release.bpmn");
const { token: _token, ...shown } = data;
console.log(`release: ${JSON.stringify(shown)}`);
