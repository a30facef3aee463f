import { readFile } from "node:fs/promises";
import { BpmnModdle } from "bpmn-moddle";
import { createColors } from "picocolors";
import { decodeXml } from "../bpmn/decode.js";
import { loadBpmn } from "../bpmn/read.js";
import { InvalidBpmnError, describe } from "../errors.js";
import { optionalPackage } from "../optional-package.js";
import type { Output } from "./reporter.js";
import type { Linter } from "bpmnlint";

/**
 * bpmnlint's recommended rules become warnings. Only `adhesive lint` uses
 * it, so it is an optional peer dependency: without it the command fails
 * up front, saying what to install, rather than check the files by half.
 */
async function loadLinter(): Promise<() => Linter> {
  const feature = "adhesive lint";
  const { Linter } = await optionalPackage("bpmnlint", feature, () => import("bpmnlint"));
  const { default: NodeResolver } = await optionalPackage("bpmnlint", feature, () => import("bpmnlint/lib/resolver/node-resolver.js"));
  // one per file: a linter's rules keep what they saw (no-duplicate-sequence-flows would report the next file's flows)
  return () => new Linter({ config: { extends: "bpmnlint:recommended" }, resolver: new NodeResolver() });
}

/** Checks each file: "ok" or every problem; returns false if any file cannot be run. Throws MissingPackageError without bpmnlint. */
export async function lintFiles(out: Output, color: boolean, files: readonly string[]): Promise<boolean> {
  const c = createColors(color);
  const createLinter = await loadLinter();
  let allOk = true;
  for (const file of files) {
    const { problems, warnings } = await adhesiveCheck(file);
    const style = problems.length === 0 ? await styleWarnings(createLinter(), file) : [];
    if (problems.length === 0) out.write(`${c.green("ok")}    ${file}\n`);
    else out.write(`${c.red("error")} ${file}\n`);
    for (const p of problems) out.write(`  ${c.red("error")}   ${p.elementId || "-"}: ${p.message}\n`);
    for (const w of [...warnings.map((p) => `${p.elementId}: ${p.message}`), ...style]) out.write(`  ${c.yellow("warning")} ${w}\n`);
    allOk &&= problems.length === 0;
  }
  return allOk;
}

type Problem = { elementId: string; message: string };

/* what keeps the file from running, else what adhesive runs but doubts (bpmn/warnings.ts) */
async function adhesiveCheck(file: string): Promise<{ problems: Problem[]; warnings: Problem[] }> {
  try {
    // loading compiles the process too: expression syntax errors are among its problems
    const definition = await loadBpmn(file);
    return { problems: [], warnings: definition.warnings ?? [] };
  } catch (error) {
    if (error instanceof InvalidBpmnError) return { problems: error.problems, warnings: [] };
    return { problems: [{ elementId: "", message: describe(error) }], warnings: [] };
  }
}

async function styleWarnings(linter: Linter, file: string): Promise<string[]> {
  try {
    // only called for a file that loaded, so its bytes decode
    const { rootElement } = await new BpmnModdle().fromXML(decodeXml(await readFile(file)).text ?? "");
    const results = await linter.lint(rootElement);
    return Object.entries(results).flatMap(([rule, reports]) => reports.map((r) => `${r.id ?? "-"}: ${r.message} (${rule})`));
  } catch (error) {
    return [`bpmnlint could not check the file: ${describe(error)}`];
  }
}
