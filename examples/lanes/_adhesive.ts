// Lanes decide where commands run (deploy.bpmn): "build" packages the app in
// a folder of this machine, "target: {host}" installs it on the target over
// ssh, and Report runs in the default workspace.
//
// The target is the machine named by DEPLOY_HOST, reached with ssh as
// DEPLOY_USER (default: you) with the key DEPLOY_KEY (default ~/.ssh/id_ed25519)
// on DEPLOY_PORT (default 22). Against this machine's own sshd:
//
//   DEPLOY_HOST=127.0.0.1 npx adhesive examples/lanes
//
// Without DEPLOY_HOST the target lane is a local folder instead, so the
// example runs anywhere; the tasks are the same either way, which is the
// point of lanes: a task does not know where its workspace is.
//
//   npx adhesive examples/lanes
import { homedir, userInfo } from "node:os";
import { join } from "node:path";
import { bpmnBuild, lane, ssh, task, type Context } from "adhesive-bpmn";

// an empty DEPLOY_HOST is as good as none
const target = process.env.DEPLOY_HOST || undefined;

/** A lane in a folder of its own inside the run's workspace. */
async function* localFolder(ctx: Context, folder: string) {
  await ctx.workspace.mkdir(folder);
  yield await ctx.workspace.withChdir(folder, (ws) => ws.clone());
}

lane("build", (ctx) => localFolder(ctx, "build"));

// one ssh connection for every task in the lane, closed when the last one is done
lane({ re: /^target: (.+)$/ }, (ctx, host) =>
  target === undefined
    ? localFolder(ctx, "target")
    : ssh.lane(ctx.workspace, {
        host,
        port: Number(process.env.DEPLOY_PORT ?? "22"),
        username: process.env.DEPLOY_USER ?? userInfo().username,
        keyFile: process.env.DEPLOY_KEY ?? join(homedir(), ".ssh", "id_ed25519"),
      }),
);

task("Package App", async (ctx) => {
  await ctx.workspace.writeFile("app/VERSION", "1.4.2\n");
  await ctx.workspace.writeFile("app/run.sh", '#!/bin/sh\necho "app $(cat "$(dirname "$0")/VERSION") running on $(hostname)"\n');
  await ctx.workspace.run("chmod +x app/run.sh && tar czf app.tgz app");
  ctx.data.package = `${ctx.workspace.pwd}/app.tgz`;
});

task("Upload Package", async (ctx) => {
  await ctx.workspace.copyToAgent(ctx.data.package as string, "app.tgz");
});

task("Install Package", async (ctx) => {
  await ctx.workspace.run("tar xzf app.tgz && rm app.tgz");
});

task("Check Installation", async (ctx) => {
  ctx.data.check = await ctx.workspace.runOutput("./app/run.sh");
  ctx.data.targetFolder = ctx.workspace.pwd;
});

task("Report", (ctx) => {
  console.log(`deployed: ${String(ctx.data.check)} (in ${String(ctx.data.targetFolder)})`);
});

if (target === undefined) console.log("DEPLOY_HOST is not set: the target lane is a local folder (DEPLOY_HOST=127.0.0.1 goes over ssh)");
const data = await bpmnBuild("deploy.bpmn", { initialData: { host: target ?? "local folder" }, stdout: true });
console.log(`summary: ${String(data.check)}`);
