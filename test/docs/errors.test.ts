/*
 * docs/errors.md documents every error code the sources raise, and no code
 * they no longer raise. A code is a string literal "ADHESIVE_..." in src/
 * (environment variables such as ADHESIVE_RUNS_FOLDER are read as
 * process.env.NAME, never quoted); a documented code is a heading of the page.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { read, root, split } from "./markdown.js";

const CODE_LITERAL = /["'`](ADHESIVE_[A-Z0-9_]+)["'`]/g;

/** The codes quoted in these sources. */
function codesIn(sources: Iterable<string>): Set<string> {
  const codes = new Set<string>();
  for (const source of sources) for (const match of source.matchAll(CODE_LITERAL)) codes.add(match[1]);
  return codes;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The codes the page has a heading for, and every ADHESIVE_ code its prose mentions. */
function documented(page: string): { headings: Set<string>; mentioned: Set<string> } {
  const headings = new Set<string>();
  const mentioned = new Set<string>();
  for (const { text } of split("docs/errors.md", page).prose) {
    const heading = /^#{2,6}\s+`?(ADHESIVE_[A-Z0-9_]+)`?\s*$/.exec(text);
    if (heading) headings.add(heading[1]);
    for (const match of text.matchAll(/ADHESIVE_[A-Z0-9_]+/g)) mentioned.add(match[0]);
  }
  return { headings, mentioned };
}

describe("docs/errors.md", () => {
  const raised = codesIn(sourceFiles(join(root, "src")).map((file) => readFileSync(file, "utf8")));
  const { headings, mentioned } = documented(read("docs/errors.md"));

  it("finds the codes of src/ (the scan sees what it should)", () => {
    expect(raised.has("ADHESIVE_NO_ROUTE")).toBe(true);
    expect(raised.size).toBeGreaterThan(40);
    expect(raised.has("ADHESIVE_RUNS_FOLDER")).toBe(false);
  });

  it("has a heading with cause and fix for every code src/ raises", () => {
    expect([...raised].filter((code) => !headings.has(code)).sort()).toEqual([]);
  });

  it("names no code that src/ does not raise", () => {
    expect([...mentioned].filter((code) => !raised.has(code)).sort()).toEqual([]);
  });

  it("says what causes each code and how to fix it", () => {
    const sections = read("docs/errors.md").split(/^### /m).slice(1);
    const incomplete = sections.filter((section) => !section.includes("**Cause:**") || !section.includes("**Fix:**")).map((section) => section.split("\n")[0]);
    expect(incomplete).toEqual([]);
  });

  it("would fail for a new code and for a code that is gone", () => {
    const sources = ['throw new AdhesiveError("ADHESIVE_NEW_THING", "...")', "process.env.ADHESIVE_TEMP_FOLDER"];
    const page = "# Error codes\n\n### `ADHESIVE_OLD_THING`\n\nGone; see also ADHESIVE_OTHER.\n";
    const codes = codesIn(sources);
    const docs = documented(page);
    expect([...codes].filter((code) => !docs.headings.has(code))).toEqual(["ADHESIVE_NEW_THING"]);
    expect([...docs.mentioned].filter((code) => !codes.has(code))).toEqual(["ADHESIVE_OLD_THING", "ADHESIVE_OTHER"]);
  });
});
