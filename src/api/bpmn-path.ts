import { access } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadBpmn, type LoadOptions } from "../bpmn/read.js";
import { callerFrame } from "../call-site.js";
import { InvalidBpmnError, UsageError } from "../errors.js";
import type { ProcessDefinition } from "../model/definition.js";

/** A BPMN file named in a bpmnBuild() call, with the folder its relative path was resolved against. */
export interface BpmnLocation {
  /** absolute */
  path: string;
  /** as the caller wrote it */
  written: string;
  /** the file whose folder a relative path was resolved against; undefined: the working directory */
  caller: string | undefined;
}

/**
 * Where `bpmnBuild(file)` reads from: a file URL or an absolute path as
 * given, a relative path against the folder of the file that called
 * bpmnBuild (the process file), so `bpmnBuild("hello.bpmn")` finds the file
 * next to it from any working directory. Call it synchronously from the API
 * entry point: it reads the caller from the stack.
 */
export function locateBpmn(file: string | URL): BpmnLocation {
  if (file instanceof URL || (typeof file === "string" && file.startsWith("file:"))) {
    return { path: fileURLToPath(file), written: String(file), caller: undefined };
  }
  if (typeof file !== "string" || file === "") {
    throw new UsageError(`bpmnBuild(file): file must be a path or a file URL, got ${file === "" ? "an empty string" : typeof file}`);
  }
  if (isAbsolute(file)) return { path: file, written: file, caller: undefined };
  const caller = callerFrame()?.file;
  return { path: resolve(caller === undefined ? process.cwd() : dirname(caller), file), written: file, caller };
}

/** loadBpmn, with a missing file explained by where its path was looked for. */
export async function readLocatedBpmn(location: BpmnLocation, options: LoadOptions = {}): Promise<ProcessDefinition> {
  try {
    return await loadBpmn(location.path, options);
  } catch (error) {
    if (!(error instanceof InvalidBpmnError) || (await exists(location.path))) throw error;
    throw new InvalidBpmnError(location.path, [{ elementId: "", message: `no such file${lookedUp(location)}` }]);
  }
}

function lookedUp({ written, caller }: BpmnLocation): string {
  if (isAbsolute(written) || written.startsWith("file:")) return "";
  const base = caller === undefined ? `the working directory ${process.cwd()}` : `${dirname(caller)}, the folder of ${caller}`;
  return ` (bpmnBuild(${JSON.stringify(written)}) resolves a relative path against ${base})`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
