import { expect } from "vitest";
import { InvalidBpmnError, type BpmnProblem } from "../../src/errors.js";

/** The problems of the InvalidBpmnError that `pending` must reject with. */
export async function problemsOf(pending: Promise<unknown>): Promise<BpmnProblem[]> {
  const error = await pending.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(InvalidBpmnError);
  return (error as InvalidBpmnError).problems;
}
