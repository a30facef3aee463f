/*
 * Runs a built process twice, as built and from its exported file read back
 * through bpmnBuild() as a user would: both must run the same tasks in the
 * same order to the same data. The exported file must read back to the same
 * definition and open cleanly in bpmn-js with every element drawn
 * (modeler.ts).
 */
import { mkdtempSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { Adhesive, BpmnError, loadBpmn, type BuiltProcess, type Context, type ProcessDefinition, type RunOptions, type ScopeDefinition } from "../../src/index.js";
import { expectOpensCleanly } from "./modeler.js";

const folder = mkdtempSync(join(tmpdir(), "adhesive-builder-"));
let files = 0;

/** What must survive the export: everything but where the definition came from. */
export function comparable(definition: ProcessDefinition): unknown {
  const scope = (s: ScopeDefinition): unknown => ({
    nodes: s.nodes.map(({ children, loop, ...rest }) => ({ ...rest, ...(loop ? { loop: { ...loop, source: undefined, testBefore: loop.testBefore ?? true } } : {}), ...(children ? { children: scope(children) } : {}) })),
    flows: s.flows,
  });
  const processes = definition.processes?.map(({ source: _source, root, ...called }) => ({ ...called, root: scope(root) }));
  return { id: definition.id, name: definition.name, root: scope(definition.root), ...(processes ? { processes } : {}) };
}

/** Writes the process as a file, checks that a modeler opens it and that it reads back to the same definition; returns its path. */
export async function exported(process: BuiltProcess<RunOptions>): Promise<string> {
  const xml = await process.toBpmnXml();
  await expectOpensCleanly(xml);
  const file = join(folder, `built-${++files}.bpmn`);
  await writeFile(file, xml);
  expect(comparable(await loadBpmn(file))).toEqual(comparable(process.definition));
  return file;
}

/** These tasks log their names and mark the data; `throws` makes a task fail with a business error. */
export function recorder(names: string[], throws: Record<string, string> = {}) {
  const adhesive = new Adhesive();
  const order: string[] = [];
  adhesive.task(names, (ctx: Context) => {
    order.push(ctx.taskName);
    if (throws[ctx.taskName] !== undefined) throw new BpmnError(throws[ctx.taskName]);
    ctx.data[ctx.taskName] = true;
  });
  return { adhesive, order };
}

export const tasks = (...names: string[]) => () => recorder(names);

/**
 * Runs `build(adhesive)` as built and from its exported file, with fresh
 * implementations each time; both must run the same tasks to the same data.
 * `drive` runs the process (given the function that starts it) when the
 * test must act while it runs: advance a clock, wait for a task.
 */
export async function bothWays(
  build: (adhesive: Adhesive) => BuiltProcess<RunOptions>,
  setup: () => { adhesive: Adhesive; order: string[] },
  options: RunOptions | (() => RunOptions) = {},
  drive: (start: () => Promise<unknown>, order: string[], options: RunOptions) => Promise<unknown> = (start) => start(),
): Promise<{ data: unknown; order: string[] }> {
  const optionsOf = typeof options === "function" ? options : () => options;
  const first = setup();
  const firstOptions = optionsOf();
  const data = await drive(() => first.adhesive.run(build(first.adhesive).definition, firstOptions), first.order, firstOptions);
  const second = setup();
  const file = await exported(build(second.adhesive));
  const secondOptions = optionsOf();
  const fromFile = await drive(() => second.adhesive.bpmnBuild(file, secondOptions), second.order, secondOptions);
  expect(second.order).toEqual(first.order);
  expect(fromFile).toEqual(data);
  return { data, order: first.order };
}

/** A task that runs until it is cancelled (by an interrupting boundary event), or until `release` is called. */
export function waiting(adhesive: Adhesive, name: string, order: string[]): { release: () => void } {
  let release = (): void => undefined;
  adhesive.task(name, (ctx) => {
    order.push(ctx.taskName);
    return new Promise<void>((resolve, reject) => {
      release = resolve;
      ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason as Error));
    });
  });
  return { release: () => release() };
}

export const minutes = (n: number) => n * 60_000;
