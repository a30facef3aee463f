import { dirname } from "node:path";
import type { RunOptions } from "../api/types.js";
import type { LiveRun, LiveRunSettings } from "./live-run.js";

/**
 * The run's LiveRun when it has a live view or an inbox, else undefined
 * (and the run pays nothing for either). A live view starts this process's
 * web server on first use.
 */
export async function liveRunFor(options: RunOptions, settings: Omit<LiveRunSettings, "web">): Promise<LiveRun | undefined> {
  const view = options.liveView;
  const web = view === true || typeof view === "object";
  if (!web && options.inbox !== true) return undefined;
  // loaded on first use: runs with neither (the API's default) never load the server, the monitor or the inbox
  if (web) await (await import("../web/live-view.js")).ensureLiveView(view === true ? {} : view, dirname(settings.runFolder));
  const { LiveRun } = await import("./live-run.js");
  return new LiveRun({ ...settings, web });
}
