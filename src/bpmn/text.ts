/** Modelers wrap long labels with newlines; task matching needs them as one line. */
export function foldName(name: string | undefined): string {
  return (name ?? "").replace(/\s+/g, " ").trim();
}

/** Like Python's textwrap.dedent: expressions are often indented inside the XML. */
export function dedent(text: string): string {
  const lines = text.split(/\r?\n/);
  const indents = lines.filter((line) => line.trim() !== "").map((line) => /^[ \t]*/.exec(line)?.[0].length ?? 0);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((line) => line.slice(Math.min(common, line.length - line.trimStart().length))).join("\n");
}

/*
 * Camunda 7 files write expressions as JUEL `${...}` / `#{...}`. A whole-string
 * wrapper around a brace-free body (`${items}`, `${route == "fast"}`) is
 * dropped so those files run unchanged; FEEL `=...` stays for the engine.
 */
const JUEL_WRAPPER = /^[$#]\{([^{}]*)\}$/;

/** An expression as adhesive evaluates it, or undefined when blank. */
export function expressionText(body: string | undefined): string | undefined {
  if (body === undefined) return undefined;
  const text = dedent(body).trim();
  const unwrapped = juelBody(text) ?? text;
  return unwrapped === "" ? undefined : unwrapped;
}

/** What is inside a whole-string `${...}` / `#{...}` (trimmed), or undefined when the text is not one. */
export function juelBody(text: string): string | undefined {
  return JUEL_WRAPPER.exec(text.trim())?.[1].trim();
}
