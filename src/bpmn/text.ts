import { juelBody } from "../model/juel.js";

// modelers wrap long labels with newlines; task matching needs them as one line (one definition, in the model)
export { foldName } from "../model/name-template.js";

/** Like Python's textwrap.dedent: expressions are often indented inside the XML. */
export function dedent(text: string): string {
  const lines = text.split(/\r?\n/);
  const indents = lines.filter((line) => line.trim() !== "").map((line) => /^[ \t]*/.exec(line)?.[0].length ?? 0);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((line) => line.slice(Math.min(common, line.length - line.trimStart().length))).join("\n");
}

/** An expression as adhesive evaluates it (a whole `${...}` unwrapped, see juel.ts), or undefined when blank. */
export function expressionText(body: string | undefined): string | undefined {
  if (body === undefined) return undefined;
  const text = dedent(body).trim();
  const unwrapped = juelBody(text) ?? text;
  return unwrapped === "" ? undefined : unwrapped;
}

