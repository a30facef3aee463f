import { mkdir } from "node:fs/promises";
import { join } from "node:path";

/** The folders of one run: `<temp>/<executionId>/workspace` for commands, `logs/` beside it. */
export async function createRunFolder(tempFolder: string, executionId: string): Promise<string> {
  const workspace = join(tempFolder, executionId, "workspace");
  await mkdir(workspace, { recursive: true });
  return workspace;
}
