/** The ssh workspace (src/workspaces/ssh/): what the package exports of it. */
export { connectSsh, sshInside, sshLane } from "./ssh/connect.js";
export { SshConnectError, SshError } from "./ssh/errors.js";
export type { SshOptions } from "./ssh/options.js";
export { SshWorkspace } from "./ssh/workspace.js";
