/*
 * docs/architecture.md says test/ mirrors src/ one folder to one folder:
 * every folder of src/ has a test folder of the same name with a test file
 * in it, so a newcomer finds a module's scenarios where the module is.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { read, root } from "./markdown.js";

const folders = (parent: string) =>
  readdirSync(join(root, parent), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

/** The folders of src/ whose test folder is missing or holds no test file. */
function untested(srcFolders: readonly string[], hasTests: (folder: string) => boolean): string[] {
  return srcFolders.filter((folder) => !hasTests(folder));
}

const hasTests = (folder: string) => {
  const path = join(root, "test", folder);
  return existsSync(path) && readdirSync(path, { recursive: true, encoding: "utf8" }).some((file) => file.endsWith(".test.ts"));
};

describe("test/ mirrors src/", () => {
  it("is what docs/architecture.md promises", () => {
    expect(read("docs/architecture.md")).toContain("`test/` mirrors `src/` one folder to one folder");
  });

  it("has a test folder with test files for every folder of src/", () => {
    expect(folders("src").length).toBeGreaterThan(20);
    expect(untested(folders("src"), hasTests)).toEqual([]);
  });

  it("would fail for a folder of src/ without one", () => {
    expect(untested(["engine", "no-such-folder"], hasTests)).toEqual(["no-such-folder"]);
  });
});
