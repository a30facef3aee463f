import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/**
 * The "type" of the package.json nearest to `file`, the way Node looks it up
 * (the first package.json up the folders decides; none, or no "type", is
 * CommonJS). By hand: Node 20 has no module.findPackageJSON.
 */
export async function packageType(file: string): Promise<"module" | "commonjs"> {
  for (let folder = dirname(file); ; folder = dirname(folder)) {
    let text: string | undefined;
    try {
      text = await readFile(join(folder, "package.json"), "utf8");
    } catch {
      // none here: look further up
    }
    if (text !== undefined) return typeIn(text);
    if (dirname(folder) === folder) return "commonjs";
  }
}

function typeIn(text: string): "module" | "commonjs" {
  try {
    return (JSON.parse(text) as { type?: unknown }).type === "module" ? "module" : "commonjs";
  } catch {
    return "commonjs"; // Node reports the broken package.json where it matters
  }
}
