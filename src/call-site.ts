/*
 * Where in the user's code something happened, read from V8 stack traces:
 * the file that declared a task, the file that called bpmnBuild (relative
 * BPMN paths resolve against its folder), the line of a task that threw.
 *
 * Written by hand: V8's frame format ("at fn (file:line:col)" or
 * "at file:line:col") is stable and one function reads it; the stack-parsing
 * libraries on npm target many browsers' formats we never see.
 */
import { fileURLToPath } from "node:url";

/** One stack frame with a location in a file. */
export interface SourceFrame {
  file: string;
  line: number;
  column: number;
}

/* adhesive's own sources (src/, or the compiled folder beside this file): frames there are the API, not the caller */
const SOURCE_ROOT = fileURLToPath(new URL("./", import.meta.url));

/** Frames of `stack` that have a file location, top first; eval'd code and native frames are skipped. */
export function stackFrames(stack: string | undefined): SourceFrame[] {
  const frames: SourceFrame[] = [];
  for (const line of (stack ?? "").split("\n")) {
    const frame = parseFrame(line);
    if (frame !== undefined) frames.push(frame);
  }
  return frames;
}

function parseFrame(line: string): SourceFrame | undefined {
  const text = line.trim();
  if (!text.startsWith("at ") || text.includes("eval at ")) return undefined;
  const body = text.replace(/^at (async )?/, "");
  const location = body.endsWith(")") ? body.slice(body.lastIndexOf("(") + 1, -1) : body;
  const match = /^(.+):(\d+):(\d+)$/.exec(location);
  if (!match || match[1].startsWith("node:") || match[1].startsWith("<")) return undefined;
  let file = match[1];
  if (file.startsWith("file://")) {
    try {
      file = fileURLToPath(file);
    } catch {
      return undefined;
    }
  }
  if (!file.startsWith("/") && !/^[A-Za-z]:[\\/]/.test(file)) return undefined;
  return { file, line: Number(match[2]), column: Number(match[3]) };
}

export function isAdhesiveFrame(frame: SourceFrame): boolean {
  return frame.file.startsWith(SOURCE_ROOT);
}

/** The first frame of the code that called into adhesive (a library's file counts: it is who called). */
export function callerFrame(): SourceFrame | undefined {
  return stackFrames(new Error().stack).find((frame) => !isAdhesiveFrame(frame));
}

/**
 * The first frame of an error in the user's own code: outside adhesive and
 * outside node_modules (a library's frame says less than the line in the
 * user's file that called it); else the first frame outside adhesive.
 */
export function userFrame(error: unknown): SourceFrame | undefined {
  if (!(error instanceof Error)) return undefined;
  const frames = stackFrames(error.stack).filter((frame) => !isAdhesiveFrame(frame));
  return frames.find((frame) => !frame.file.includes("/node_modules/")) ?? frames[0];
}

export function formatFrame(frame: SourceFrame): string {
  return `${frame.file}:${frame.line}`;
}
