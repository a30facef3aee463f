import { createColors } from "picocolors";
import type { NodeBinding } from "../tasks/binding.js";
import { describeDeclaration } from "../tasks/binding.js";
import type { Output } from "./reporter.js";

/** Prints each element that runs user code with what it maps to; returns false if any is missing or ambiguous. */
export function printBindings(out: Output, color: boolean, source: string, bindings: readonly NodeBinding[]): boolean {
  const c = createColors(color);
  out.write(`${c.bold(source)}\n`);
  let ok = true;
  for (const binding of bindings) {
    const { node } = binding;
    const element = `${node.kind} ${c.bold(JSON.stringify(node.name))} ${c.dim(`(${node.id})`)}`;
    if (binding.declaration) {
      out.write(`  ${c.green("ok")}       ${element} -> ${describeDeclaration(binding.declaration)}\n`);
    } else if (binding.problem === "ambiguous") {
      ok = false;
      out.write(`  ${c.red("ambiguous")} ${element} -> ${binding.candidates.map(describeDeclaration).join(" | ")}\n`);
    } else if (binding.problem === "missing") {
      ok = false;
      out.write(`  ${c.red("missing")}  ${element}\n`);
    } else if (binding.candidates.length > 1) {
      out.write(`  ${c.green("ok")}       ${element} -> by rendered name: ${binding.candidates.map(describeDeclaration).join(" | ")}\n`);
    }
  }
  return ok;
}
