/*
 * The documentation as the docs tests read it: README.md, CHANGELOG.md and
 * docs/*.md (the generated docs/api/ left out: test/docs/api.test.ts),
 * their headings as GitHub makes anchors of them, their links, and their
 * code blocks with the line each starts on.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../../", import.meta.url));

/** The pages the tests check, relative to the repository: the README, the changelog and docs/*.md. */
export function pages(): string[] {
  const docs = readdirSync(join(root, "docs"))
    .filter((file) => file.endsWith(".md"))
    .sort()
    .map((file) => `docs/${file}`);
  return ["README.md", "CHANGELOG.md", ...docs];
}

export function read(page: string): string {
  return readFileSync(join(root, page), "utf8");
}

export interface CodeBlock {
  page: string;
  /** the line of the opening fence, 1-based */
  line: number;
  /** the info string's first word: ts, sh, text... */
  lang: string;
  /** the info string's other words: `fragment`, `isolated`, `files=a,b` */
  tags: string[];
  code: string;
}

interface Split {
  /** the lines outside code blocks, with their line numbers (code blocks' lines left out) */
  prose: Array<{ line: number; text: string }>;
  blocks: CodeBlock[];
}

/* fences of three or more backticks or tildes; a block ends at a fence of the same kind at least as long */
export function split(page: string, text = read(page)): Split {
  const prose: Split["prose"] = [];
  const blocks: CodeBlock[] = [];
  const lines = text.split("\n");
  let open: { fence: string; line: number; info: string; body: string[] } | undefined;
  lines.forEach((line, index) => {
    const fence = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (open === undefined) {
      if (fence) open = { fence: fence[1], line: index + 1, info: fence[2].trim(), body: [] };
      else prose.push({ line: index + 1, text: line });
      return;
    }
    if (fence && fence[1][0] === open.fence[0] && fence[1].length >= open.fence.length && fence[2].trim() === "") {
      const [lang = "", ...tags] = open.info.split(/\s+/).filter(Boolean);
      blocks.push({ page, line: open.line, lang, tags, code: `${open.body.join("\n")}\n` });
      open = undefined;
    } else open.body.push(line);
  });
  if (open !== undefined) throw new Error(`${page}:${open.line}: a code block that never closes`);
  return { prose, blocks };
}

/** GitHub's anchor for a heading's text: lower case, punctuation dropped, spaces as hyphens. */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]+>/g, "")
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{N}\p{M}\- _]/gu, "").replace(/ /g, "-");
}

/** Every anchor a page has: its headings' slugs, numbered as GitHub numbers repeated ones. */
export function anchors(page: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const { text } of split(page).prose) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (!heading) continue;
    const base = slug(heading[1]);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

export interface Link {
  page: string;
  line: number;
  target: string;
}

/** The links and images of a page's prose (inline code and code blocks left out); a link's text may run over a line break. */
export function links(page: string, text?: string): Link[] {
  const { prose } = split(page, text);
  const lines: string[] = [];
  for (const { line, text: content } of prose) lines[line - 1] = content;
  // code blocks become empty lines and code spans their own line breaks, so offsets still give line numbers
  const body = Array.from(lines, (line) => line ?? "")
    .join("\n")
    .replace(/(`+)[\s\S]*?[^`]\1(?!`)/g, (span) => span.replace(/[^\n]/g, ""));
  const result: Link[] = [];
  for (const match of body.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    result.push({ page, line: body.slice(0, match.index).split("\n").length, target: match[1] });
  }
  return result;
}
