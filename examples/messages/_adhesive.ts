// Build on push: a message source delivers push events for a few repositories
// in a burst, and every event starts its own instance of pushes.bpmn.
//
// "Build {event.repo}" is deduplicated on the repository: while a repository
// builds, at most one newer push for it waits, and a still newer push replaces
// the waiting one. So each repository builds at most once at a time, and the
// newest waiting push wins. (The key is held until the event's instance ends,
// so also while "Publish" runs.)
//
//   npx adhesive examples/messages/_adhesive.ts
import { bpmnBuild, message, task } from "adhesive-bpmn";

interface Push {
  repo: string;
  commit: number;
}

const pushes: Push[] = [
  { repo: "api", commit: 1 },
  { repo: "web", commit: 1 },
  { repo: "api", commit: 2 },
  { repo: "docs", commit: 1 },
  { repo: "api", commit: 3 },
  { repo: "web", commit: 2 },
  { repo: "api", commit: 4 },
  { repo: "docs", commit: 2 },
  { repo: "web", commit: 3 },
];

// a real source would read a queue or a webhook; the engine pulls the next
// event only while fewer than maxEventsInFlight (default 1000) instances run
message("Repository Push", async function* () {
  for (const push of pushes) yield push;
});

task({ name: "Build {event.repo}", deduplicate: "event.repo" }, async (ctx) => {
  const { repo, commit } = ctx.data.event as Push;
  await ctx.workspace.run(`echo "building ${repo} at commit ${commit}"`);
  // stands for the real build: long enough for the whole burst to arrive meanwhile
  await new Promise((resolve) => setTimeout(resolve, 400));
  // Sets union when the instances' results merge into the run's result
  ctx.data.built = new Set([`${repo}@${commit}`]);
});

task("Publish {event.repo}", (ctx) => {
  const { repo, commit } = ctx.data.event as Push;
  ctx.data.published = new Set([`${repo}@${commit}`]);
});

const data = await bpmnBuild("pushes.bpmn");
const built = [...(data.built as Set<string>)].sort();
console.log(`summary: ${pushes.length} push events, ${built.length} builds (${built.join(" ")}), ${pushes.length - built.length} superseded while waiting`);
