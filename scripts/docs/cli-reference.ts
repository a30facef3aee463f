/**
 * docs/cli.md's reference blocks come from the CLI's own help, so the page
 * cannot drift from what `adhesive --help` says. Each block sits between
 * `<!-- generated: adhesive <args> -->` and `<!-- end generated -->`; this
 * runs the CLI's main() in-process with those arguments and puts what it
 * prints, from its `Usage:` line on, in their place. The prose around the
 * blocks is written by hand. `npm run docs` runs it; test/docs/cli.test.ts
 * fails when the page is not what it would write now.
 *
 *   node --import tsx scripts/docs/cli-reference.ts          rewrite docs/cli.md
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.js";

export const CLI_PAGE = fileURLToPath(new URL("../../docs/cli.md", import.meta.url));

const BLOCK = /(<!-- generated: adhesive([^>]*?) -->\n)[\s\S]*?(<!-- end generated -->)/g;

/** What the CLI prints for these arguments (stdout and stderr: `send` and `complete` print their usage with an error), from `Usage:` on. */
export async function helpText(args: readonly string[]): Promise<string> {
  let printed = "";
  const sink = { write: (text: string) => void (printed += text) };
  await main(args, { out: sink, err: sink, color: false, cwd: process.cwd() });
  const start = printed.search(/^Usage:/m);
  if (start < 0) throw new Error(`adhesive ${args.join(" ")} printed no Usage: line:\n${printed}`);
  return printed.slice(start).trimEnd();
}

/** The page with every generated block filled in from the CLI as it is now. */
export async function withHelp(page: string): Promise<string> {
  const blocks = [...page.matchAll(BLOCK)];
  if (blocks.length === 0) throw new Error("docs/cli.md has no <!-- generated: adhesive ... --> block");
  let result = "";
  let last = 0;
  for (const block of blocks) {
    const args = block[2].trim().split(/\s+/).filter(Boolean);
    result += page.slice(last, block.index) + `${block[1]}\n\`\`\`text\n${await helpText(args)}\n\`\`\`\n\n${block[3]}`;
    last = block.index + block[0].length;
  }
  return result + page.slice(last);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(CLI_PAGE, await withHelp(readFileSync(CLI_PAGE, "utf8")));
  console.log(`wrote ${CLI_PAGE}`);
}
