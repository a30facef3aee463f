import { dirname } from "node:path";
import type { RunOptions } from "../api/types.js";
import { ensureLiveView } from "../web/live-view.js";
import { LiveRun, type LiveRunSettings } from "./live-run.js";

/**
 * The run's LiveRun when it has a live view or an inbox, else undefined
 * (and the run pays nothing for either). A live view starts this process's
 * web server on first use.
 */
export async function liveRunFor(options: RunOptions, settings: Omit<LiveRunSettings, "web">): Promise<LiveRun | undefined> {
  const view = options.liveView;
  const web = view === true || typeof view === "object";
  if (!web && options.inbox !== true) return undefined;
  if (web) await ensureLiveView(view === true ? {} : view, dirname(settings.runFolder));
  return new LiveRun({ ...settings, web });
}
