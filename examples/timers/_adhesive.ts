// Time limits on a deployment (deploy.bpmn), two branches in parallel:
// - "Run Smoke Tests" is slow; its interrupting PT2S timer cancels it after
//   two seconds (ctx.signal fires, its running command is killed) and the
//   token goes on to "Report Timeout" instead.
// - "Wait For Sign-off" takes 3.5 s; its non-interrupting R3/PT1S cycle forks
//   a token to "Send Reminder" every second, at most 3 times, while the task
//   goes on undisturbed.
//
//   npx adhesive examples/timers/_adhesive.ts
import { bpmnBuild, task } from "adhesive-bpmn";

let reminders = 0;

task("Run Smoke Tests", async (ctx) => {
  // far longer than the timer allows: the timer kills this command
  await ctx.workspace.run("sleep 30");
  ctx.data.smokeTests = "passed";
});

task("Report Timeout", (ctx) => {
  // an interrupted task's changes are dropped: this token has the data the task started with
  ctx.data.smokeTests = "timed out after PT2S";
});

task("Wait For Sign-off", async (ctx) => {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 3_500);
    ctx.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()));
  });
  ctx.data.signedOff = true;
});

task("Send Reminder", (ctx) => {
  reminders++;
  console.log(`reminder ${reminders}: please sign off the deployment`); // kept in the run's log folder
  ctx.data.reminders = new Set([reminders]);
});

// both slow steps hold a slot of the task pool while they run: leave room for the reminders
const data = await bpmnBuild("deploy.bpmn", { poolSize: 4 });
console.log(`summary: smoke tests ${String(data.smokeTests)}, ${reminders} reminders sent, signed off: ${data.signedOff === true ? "yes" : "no"}`);
