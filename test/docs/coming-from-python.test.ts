/*
 * docs/coming-from-python.md maps the original adhesive's names to this
 * one's in tables, whose code is not a program the code-block test could
 * compile. Here the names they give are looked up in the sources: every
 * `ctx.` field (and the fields of ctx.task and ctx.loop), every workspace
 * method and helper, every KubeApi method, every configuration key.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { CONFIG_KEYS } from "../../src/config/schema.js";
import * as api from "../../src/index.js";
import { read, root } from "./markdown.js";

const PAGE = "docs/coming-from-python.md";

/** The public members of an interface or class declared in `file`: what a reader may write after a dot. */
function members(file: string, name: string): Set<string> {
  const source = ts.createSourceFile(file, readFileSync(join(root, file), "utf8"), ts.ScriptTarget.Latest, true);
  const found = new Set<string>();
  const visit = (node: ts.Node) => {
    if ((ts.isInterfaceDeclaration(node) || ts.isClassDeclaration(node)) && node.name?.text === name) {
      for (const member of node.members) {
        const modifiers = ts.canHaveModifiers(member) ? (ts.getModifiers(member) ?? []) : [];
        if (modifiers.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)) continue;
        if (member.name !== undefined && ts.isIdentifier(member.name)) found.add(member.name.text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (found.size === 0) throw new Error(`${file}: no ${name} with members`);
  return found;
}

/** The rows of the table under `## heading`: each row's cells. */
function table(page: string, heading: string): string[][] {
  const section = page.split(/^## /m).find((part) => part.startsWith(`${heading}\n`));
  if (section === undefined) throw new Error(`${PAGE}: no section "${heading}"`);
  return section
    .split("\n")
    .filter((line) => line.startsWith("|") && !/^\|\s*-/.test(line))
    .slice(1)
    .map((line) => line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim()));
}

const spans = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1]);

/** The names the context table's TypeScript column gives that Context (or the type of the field before the parentheses) lacks. */
function contextProblems(rows: readonly string[][]): string[] {
  const context = members("src/api/types.ts", "Context");
  const inner: Record<string, Set<string> | undefined> = { task: members("src/engine/context.ts", "TaskNodeInfo"), loop: members("src/api/types.ts", "LoopInfo") };
  const problems: string[] = [];
  for (const [, cell] of rows) {
    const outside = cell.replace(/\([^)]*\)/g, "");
    const fields = spans(outside);
    for (const field of fields) if (!context.has(field)) problems.push(`ctx.${field}`);
    const within = /\(([^)]*)\)/.exec(cell)?.[1];
    const of = inner[fields[0]];
    if (within !== undefined && of !== undefined) for (const sub of spans(within)) if (!of.has(sub)) problems.push(`ctx.${fields[0]}.${sub}`);
  }
  return problems;
}

/** The workspace methods, helpers (docker.inside, ...) and KubeApi methods the workspaces table names that do not exist. */
function workspaceProblems(rows: readonly string[][]): string[] {
  const workspace = members("src/workspaces/workspace.ts", "Workspace");
  const kubeApi = members("src/workspaces/kube-api.ts", "KubeApi");
  const helpers = { docker: api.docker, kube: api.kube, ssh: api.ssh, scm: api.scm } as Record<string, object>;
  const problems: string[] = [];
  for (const [, cell] of rows) {
    const ofKubeApi = cell.includes("kube.api(ws)");
    for (const span of spans(cell)) {
      for (const [, method] of span.matchAll(/\bws\.(\w+)/g)) if (!workspace.has(method)) problems.push(`ws.${method}`);
      for (const [, helper, name] of span.matchAll(/\b(docker|kube|ssh|scm)\.(\w+)/g)) if (!(name in helpers[helper])) problems.push(`${helper}.${name}`);
      for (const [, fn] of span.matchAll(/^(\w+)\(/g)) if (!(fn in api)) problems.push(`${fn}()`);
      if (/^\w+$/.test(span) && !(ofKubeApi ? kubeApi : workspace).has(span)) problems.push(ofKubeApi ? `kube.api(ws).${span}` : `ws.${span}`);
    }
  }
  return problems;
}

/** The configuration keys the configuration table's TypeScript column names that are no keys. */
function configProblems(rows: readonly string[][]): string[] {
  const keys = new Set<string>(CONFIG_KEYS);
  // `parallel_processing: async`: the key before its value
  return rows.map(([, cell]) => spans(cell)[0].split(":")[0].trim()).filter((key) => !keys.has(key));
}

describe(PAGE, () => {
  const page = read(PAGE);

  it("names ctx fields that Context has", () => {
    const rows = table(page, "The context");
    expect(rows.length).toBeGreaterThan(5);
    expect(contextProblems(rows)).toEqual([]);
  });

  it("names workspace methods, helpers and KubeApi methods that exist", () => {
    const rows = table(page, "Workspaces");
    expect(rows.length).toBeGreaterThan(10);
    expect(workspaceProblems(rows)).toEqual([]);
  });

  it("names configuration keys that the configuration has", () => {
    const rows = table(page, "Configuration");
    expect(rows.length).toBeGreaterThan(5);
    expect(configProblems(rows)).toEqual([]);
  });

  it("would fail for a field, a method, a helper and a key that do not exist", () => {
    expect(contextProblems([["`context.x`", "`taskName`, `runId` (`id`)"], ["`task`", "`task` (`id`, `label`)"]])).toEqual(["ctx.runId", "ctx.task.label"]);
    expect(workspaceProblems([["", "`await ws.runShell(cmd)`"], ["", "`docker.push(ws)`, `withSecrets(ws)`"], ["", "`kube.api(ws)`: `get`, `watch`"], ["", "`copyToHost`"]])).toEqual([
      "ws.runShell",
      "docker.push",
      "withSecrets()",
      "kube.api(ws).watch",
      "ws.copyToHost",
    ]);
    expect(configProblems([["`pool_size`", "`poolSize`"], ["`stdout`", "`stdout: true`"]])).toEqual(["poolSize"]);
  });
});
