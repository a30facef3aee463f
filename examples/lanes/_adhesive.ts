// Lanes decide where commands run: "build" packages the app on this machine,
// "target: {host}" installs it over ssh, and Report runs in the default
// workspace. The ssh target is a throw-away OpenSSH server on 127.0.0.1
// (the one the tests use: scripts/install-system-deps.sh installs sshd),
// so the example runs anywhere without a remote machine:
//   npx adhesive examples/lanes/_adhesive.ts
import { bpmnBuild, lane, ssh, task } from "adhesive-bpmn";
import { startSshd } from "../../test/workspaces/sshd.js";

const server = await startSshd();

// the local lane: a folder of its own inside the run's workspace
lane("build", async function* (ctx) {
  await ctx.workspace.mkdir("build");
  yield await ctx.workspace.withChdir("build", (ws) => ws.clone());
});

// the ssh lane: one connection for every task in it, closed when the last one is done
lane({ re: /^target: (.+)$/ }, (ctx, host) =>
  ssh.lane(ctx.workspace, { host, port: server.port, username: server.username, keyFile: server.keyFile }),
);

task("Package App", async (ctx) => {
  await ctx.workspace.writeFile("app/VERSION", "1.4.2\n");
  await ctx.workspace.writeFile("app/run.sh", "#!/bin/sh\necho \"app $(cat \"$(dirname \"$0\")/VERSION\") running on $(hostname)\"\n");
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
  ctx.data.remoteFolder = ctx.workspace.pwd;
});

task("Report", (ctx) => {
  console.log(`deployed: ${String(ctx.data.check)} (remote folder ${String(ctx.data.remoteFolder)})`);
});

try {
  const data = await bpmnBuild(new URL("deploy.bpmn", import.meta.url).pathname, { initialData: { host: server.host }, stdout: true });
  console.log(`summary: ${String(data.check)}`);
} finally {
  await server.stop();
}
