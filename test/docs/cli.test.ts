/*
 * docs/cli.md's help blocks are what the CLI prints now: the page cannot
 * drift from `adhesive --help`. `npm run docs` (scripts/docs/cli-reference.ts)
 * writes them.
 */
import { describe, expect, it } from "vitest";
import { helpText, withHelp } from "../../scripts/docs/cli-reference.js";
import { read } from "./markdown.js";

describe("docs/cli.md", () => {
  it("holds the CLI's own help, as npm run docs writes it", async () => {
    const page = read("docs/cli.md");
    expect(page, "docs/cli.md is stale: run npm run docs").toBe(await withHelp(page));
  });

  it("has a block for the main help, adhesive types and adhesive send", async () => {
    const page = read("docs/cli.md");
    for (const args of ["--help", "types --help", "send"]) expect(page).toContain(`<!-- generated: adhesive ${args} -->`);
    expect(page).toContain(await helpText(["--help"]));
  });

  it("would fail when the help changed", async () => {
    const page = read("docs/cli.md");
    const stale = page.replace("show the version", "print the version");
    expect(stale).not.toBe(page);
    expect(await withHelp(stale)).toBe(page);
  });
});
