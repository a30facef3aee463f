/* bpmnlint ships no declarations; what lint.ts uses of it. */
declare module "bpmnlint" {
  export interface LintReport {
    id?: string;
    message: string;
  }
  export class Linter {
    constructor(options: { config: unknown; resolver: unknown });
    lint(root: unknown): Promise<Record<string, LintReport[]>>;
  }
}

declare module "bpmnlint/lib/resolver/node-resolver.js" {
  export default class NodeResolver {}
}
