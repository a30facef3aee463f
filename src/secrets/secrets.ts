/**
 * Secrets: files under `.adhesive/secrets/` of the project, or of the user's
 * home folder, put into a workspace only while a block runs. Their values are
 * registered for redaction (see redact.ts) as soon as they are read.
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { resolve, sep } from "node:path";
import { AdhesiveError, describe } from "../errors.js";
import { removeIfRunnerDies } from "../processes/groups.js";
import { commandLine } from "../workspaces/cli-exec.js";
import { LocalWorkspace } from "../workspaces/local.js";
import type { Workspace } from "../workspaces/workspace.js";
import { MIN_SECRET_LENGTH, redact, registerSecret } from "./redact.js";

/** Where withSecret() looks for secrets. */
export interface WithSecretOptions {
  /** the project folder whose `.adhesive/secrets/` is looked at first (default: the current folder) */
  projectFolder?: string;
  /** the folder whose `.adhesive/secrets/` is looked at second (default: the user's home folder) */
  homeFolder?: string;
}

/** The codes of a SecretError. */
export type SecretErrorCode = "ADHESIVE_SECRET_NOT_FOUND" | "ADHESIVE_SECRET_UNREADABLE" | "ADHESIVE_SECRET_TOO_SHORT" | "ADHESIVE_SECRET_NAME" | "ADHESIVE_SECRET_CLEANUP";

/** A secret that could not be found, read, named or removed; never holds the value. */
export class SecretError extends AdhesiveError {
  /** `ADHESIVE_SECRET_NOT_FOUND`, `ADHESIVE_SECRET_UNREADABLE`, `ADHESIVE_SECRET_TOO_SHORT`, `ADHESIVE_SECRET_NAME` or `ADHESIVE_SECRET_CLEANUP` */
  declare readonly code: SecretErrorCode;
  /** the secret's name (never its value) */
  readonly secret: string;

  constructor(code: SecretErrorCode, secret: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.secret = secret;
  }
}

/**
 * Writes the secret `name` into `workspace` at `targetPath` (readable by its
 * owner only), calls `fn` with that path, and always removes the file
 * afterwards: when `fn` returns, throws, or its task is cancelled.
 *
 *     await withSecret(ctx.workspace, "deploy_key", "id_deploy", async (key) => {
 *       await ctx.workspace.run(`ssh -i ${key} deploy@host ./release`);
 *     });
 */
export async function withSecret<T>(
  workspace: Workspace,
  name: string,
  targetPath: string,
  fn: (path: string) => T | Promise<T>,
  options: WithSecretOptions = {},
): Promise<T> {
  const value = await readSecret(name, options);
  // a runner killed with SIGKILL runs no finally block: its supervisor removes a local secret file instead
  const unguard = workspace instanceof LocalWorkspace ? removeIfRunnerDies(resolve(workspace.pwd, targetPath)) : undefined;
  try {
    return await writeUseAndRemove(workspace, name, targetPath, value, fn);
  } finally {
    unguard?.();
  }
}

async function writeUseAndRemove<T>(workspace: Workspace, name: string, targetPath: string, value: Uint8Array, fn: (path: string) => T | Promise<T>): Promise<T> {
  let written = false;
  try {
    // the file exists with mode 0600 before the value goes in, so it is never readable by others
    await workspace.writeFile(targetPath, "");
    written = true;
    await restrict(workspace, targetPath);
    await workspace.writeFile(targetPath, value);
    // again: a copy into a container (docker cp, kubectl cp) replaces the file with the copy's mode
    await restrict(workspace, targetPath);
  } catch (error) {
    if (written) await removeSecret(workspace, name, targetPath, error);
    throw error;
  }
  let result: T;
  try {
    result = await fn(targetPath);
  } catch (error) {
    await removeSecret(workspace, name, targetPath, error);
    throw error;
  }
  await removeSecret(workspace, name, targetPath, undefined);
  return result;
}

/**
 * Reads the secret `name` (project folder first, then the home folder) and
 * registers its value for redaction.
 */
export async function readSecret(name: string, options: WithSecretOptions = {}): Promise<Uint8Array> {
  checkName(name);
  const places = [options.projectFolder ?? process.cwd(), options.homeFolder ?? homedir()].map((folder) => {
    const secrets = resolve(folder, ".adhesive", "secrets");
    const place = resolve(secrets, name);
    if (!place.startsWith(secrets + sep)) throw invalidName(name);
    return place;
  });
  for (const place of places) {
    let value: Buffer;
    try {
      value = await readFile(place);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw new SecretError("ADHESIVE_SECRET_UNREADABLE", name, `secret "${name}": cannot read ${place}: ${(error as NodeJS.ErrnoException).code ?? describe(error)}`, {
        cause: error,
      });
    }
    const text = value.toString("utf8");
    checkLength(name, place, text);
    registerSecret(text);
    return value;
  }
  throw new SecretError("ADHESIVE_SECRET_NOT_FOUND", name, `secret "${name}" not found; looked at ${places[0]} and ${places[1]}`);
}

/*
 * Every value is masked, so a short one is refused rather than read: masking
 * "ab" would mask it in every word, and a value that short is guessed anyway.
 */
function checkLength(name: string, place: string, value: string): void {
  const length = [...value.trim()].length;
  if (length >= MIN_SECRET_LENGTH) return;
  throw new SecretError(
    "ADHESIVE_SECRET_TOO_SHORT",
    name,
    `secret "${name}" in ${place} is ${length === 0 ? "empty" : `only ${length} character${length === 1 ? "" : "s"} long`}: ` +
      `a secret needs at least ${MIN_SECRET_LENGTH} characters (surrounding whitespace not counted), so that masking it in logs does not mask ordinary text`,
  );
}

/* a name is a relative path inside the secrets folder: no `..`, no absolute path, no empty or `.` segment */
function checkName(name: string): void {
  const segments = name.split(/[/\\]/);
  const bad =
    name === "" ||
    name.includes("\0") ||
    name.startsWith("/") ||
    name.includes("\\") ||
    segments.some((segment) => segment === "" || segment === "." || segment === "..");
  if (bad) throw invalidName(name);
}

function invalidName(name: string): SecretError {
  return new SecretError(
    "ADHESIVE_SECRET_NAME",
    name,
    `invalid secret name ${JSON.stringify(name)}: a secret is a file (or path) inside .adhesive/secrets/, without "..", "." or empty parts`,
  );
}

async function restrict(workspace: Workspace, path: string): Promise<void> {
  await workspace.run(commandLine(["chmod", "600", "--", path]));
}

/* removal failing leaves the secret behind: that error wins, naming the block's own failure if there was one */
async function removeSecret(workspace: Workspace, name: string, path: string, failure: unknown): Promise<void> {
  try {
    await workspace.rm(path);
  } catch (error) {
    const after = failure === undefined ? "" : `\n(after the block failed: ${redact(describe(failure))})`;
    throw new SecretError(
      "ADHESIVE_SECRET_CLEANUP",
      name,
      `could not remove secret "${name}" from ${path} in workspace ${workspace.id}: ${describe(error)}${after}`,
      { cause: failure ?? error },
    );
  }
}
