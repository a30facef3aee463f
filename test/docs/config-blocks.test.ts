/*
 * Every ```yaml block of the README and docs/*.md is a configuration file
 * (`.adhesive/config.yml`) that adhesive accepts as it is: loaded with the
 * real loader, as a project's file, it raises no ConfigError.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/index.js";
import { pages, split, type CodeBlock } from "./markdown.js";

const temp = mkdtempSync(join(tmpdir(), "adhesive-config-blocks-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** What is wrong with the block as a project's configuration file: ConfigError's problems, none when it loads. */
async function problems(block: CodeBlock, index: number): Promise<string[]> {
  const project = join(temp, String(index));
  mkdirSync(join(project, ".adhesive"), { recursive: true });
  writeFileSync(join(project, ".adhesive", "config.yml"), block.code);
  try {
    // no home file and no ADHESIVE_* variables: the block alone
    await loadConfig({ cwd: project, home: join(project, "home"), env: {} });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => `${block.page}:${block.line}: ${problem.message}`);
    throw error;
  }
}

describe("configuration files in the README and docs/", () => {
  const blocks = pages()
    .flatMap((page) => split(page).blocks)
    .filter((block) => block.lang === "yaml" || block.lang === "yml");

  it("are found (docs/scale-out.md has one)", () => {
    expect(blocks.some((block) => block.page === "docs/scale-out.md")).toBe(true);
  });

  it("load without a problem", async () => {
    const found = (await Promise.all(blocks.map(problems))).flat();
    expect(found).toEqual([]);
  });

  it("would fail for a misspelt key and a bad value", async () => {
    const bad: CodeBlock = { page: "docs/broken.md", line: 3, lang: "yaml", tags: [], code: "poolSize: 4\nlock_duration_ms: soon\n" };
    const found = await problems(bad, -1);
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^docs\/broken\.md:3: .*poolSize.*did you mean pool_size/);
  });
});
