// A small build pipeline: prepare, build for each platform in parallel while
// linting, then publish only if everything is green.
import { bpmnBuild, task } from "adhesive-bpmn";

task("Prepare Workspace", async (ctx) => {
  await ctx.workspace.writeFile("version.txt", "1.0.0\n");
});

task("Build {loop.value}", async (ctx) => {
  const version = await ctx.workspace.runOutput("cat version.txt");
  await ctx.workspace.run(`echo "building ${version} for ${ctx.loop!.value}"`);
  // Sets union when the parallel iterations join, so every platform is kept
  ctx.data.built = new Set([ctx.loop!.value]);
});

task("Lint Sources", (ctx) => {
  ctx.data.lintOk = true;
});

task("Publish Release", (ctx) => {
  ctx.data.published = true;
});

task("Report Failure", (ctx) => {
  ctx.data.published = false;
});

const data = await bpmnBuild("hello.bpmn", {
  initialData: { platforms: ["linux", "macos", "windows"] },
});
console.log(`published: ${String(data.published)}`);
