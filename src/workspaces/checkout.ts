/**
 * `scm.checkout(ws)`: the project's files in a task's workspace, as the
 * original's `adhesive.scm.checkout` did (a build's first step, like a
 * Jenkinsfile's `checkout scm`). The project is the folder adhesive was
 * started in; what it holds of adhesive's own (`.adhesive/`: runs, their
 * control sockets, secrets) and what is no file (sockets, FIFOs) stays
 * behind, as in every `copyToAgent` (copy-filter.ts).
 */
import type { Workspace } from "./workspace.js";

/** What scm.checkout() copies, and where to. */
export interface CheckoutOptions {
  /** the project folder on this machine (default: the working directory, where `adhesive` was started) */
  from?: string;
  /** where in the workspace, relative to its `pwd` (default: `pwd` itself) */
  to?: string;
}

/**
 * Copies the project into `workspace` (any kind: local, docker, ssh, kube)
 * and resolves to the folder it went to in the workspace.
 */
export async function checkout(workspace: Workspace, options: CheckoutOptions = {}): Promise<string> {
  const to = options.to ?? ".";
  await workspace.copyToAgent(options.from ?? process.cwd(), to);
  return workspace.withChdir(to, (inside) => inside.pwd);
}
