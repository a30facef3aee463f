import { expect } from "vitest";
import { BpmnError, type BpmnProblem } from "../../src/errors.js";

/** The problems of the BpmnError that `pending` must reject with. */
export async function problemsOf(pending: Promise<unknown>): Promise<BpmnProblem[]> {
  const error = await pending.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(BpmnError);
  return (error as BpmnError).problems;
}
