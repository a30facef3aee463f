/*
 * Something that test files of one test run share and only one of them may
 * make (the build of the package, its install): made in a folder that the
 * global setup names (global-setup.ts). The first test file to claim the
 * folder makes it (creating a folder is atomic), the others wait until that
 * file says it is ready or failed. Test files run in separate processes, so
 * the folder is the only place they meet.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

/* in the shared folder: made by the file that makes the thing (CLAIM), then READY or FAILED */
const CLAIM = ".claimed";
const READY = "ready.json";
const FAILED = "failed.txt";

/**
 * What `make` returned in the first test file that claimed `folder`; `what`
 * names it in errors. `limitMs` caps a hang of the file that makes it.
 */
export async function oncePerRun<T>(folder: string, what: string, limitMs: number, make: () => Promise<T>): Promise<T> {
  const claimed = await mkdir(join(folder, CLAIM)).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === "EEXIST") return false;
      throw error;
    },
  );
  if (claimed) {
    try {
      const made = await make();
      // written whole, then renamed: a waiting file never reads half of it
      await writeFile(join(folder, `${READY}.part`), JSON.stringify(made));
      await rename(join(folder, `${READY}.part`), join(folder, READY));
      return made;
    } catch (error) {
      await writeFile(join(folder, FAILED), error instanceof Error ? (error.stack ?? error.message) : String(error));
      throw error;
    }
  }
  const deadline = Date.now() + limitMs;
  for (;;) {
    const ready = await readFile(join(folder, READY), "utf8").catch(() => undefined);
    if (ready !== undefined) return JSON.parse(ready) as T;
    const failed = await readFile(join(folder, FAILED), "utf8").catch(() => undefined);
    if (failed !== undefined) throw new Error(`another test file failed to make ${what} in ${folder}:\n${failed}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${limitMs} ms waiting for another test file to make ${what} in ${folder}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
