/*
 * Every relative link and image of the README, the changelog and docs/*.md
 * leads somewhere: the file exists, and a `#anchor` is a heading of the page
 * it points to (GitHub's anchors). Links to other sites are not fetched.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { anchors, links, pages, root, type Link } from "./markdown.js";

/** What is wrong with a link, or undefined when it resolves. */
function broken(link: Link): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) return undefined;
  const [path, anchor] = link.target.split("#", 2) as [string, string | undefined];
  const file = path === "" ? join(root, link.page) : join(root, dirname(link.page), decodeURI(path));
  const shown = relative(root, file);
  if (!existsSync(file)) return `${shown} does not exist`;
  if (anchor === undefined || anchor === "") return undefined;
  if (statSync(file).isDirectory() || !file.endsWith(".md")) return `#${anchor} points into ${shown}, which is no Markdown page`;
  if (!anchors(relative(root, file)).has(decodeURIComponent(anchor))) return `${shown} has no heading #${anchor}`;
  return undefined;
}

describe("links in the README and docs/", () => {
  it("lead from the README to every page of docs/ (its index is complete)", () => {
    const linked = new Set(links("README.md").map((link) => link.target.split("#")[0]));
    const unlinked = pages().filter((page) => page !== "README.md" && !linked.has(page));
    expect(unlinked).toEqual([]);
  });

  it.each(pages())("%s: every relative link and anchor resolves", (page) => {
    const problems = links(page).flatMap((link) => {
      const problem = broken(link);
      return problem === undefined ? [] : [`${page}:${link.line}: (${link.target}) ${problem}`];
    });
    expect(problems).toEqual([]);
  });

  it("fails for a missing file, a missing anchor and an anchor in another page", () => {
    const page = "docs/concepts.md";
    const text = "See [a](nowhere.md), [b](#no-such-heading), [c](semantics.md#data), [d](semantics.md#no-such-rule) and `[e](skipped.md)`.\n\n```md\n[f](skipped.md)\n```\n";
    const problems = links(page, text).map((link) => `${link.target}: ${broken(link) ?? "ok"}`);
    expect(problems).toEqual([
      "nowhere.md: docs/nowhere.md does not exist",
      "#no-such-heading: docs/concepts.md has no heading #no-such-heading",
      "semantics.md#data: ok",
      "semantics.md#no-such-rule: docs/semantics.md has no heading #no-such-rule",
    ]);
  });
});
