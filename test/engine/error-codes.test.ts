/*
 * Error codes as Camunda's docs use them, on a file bpmn-engine runs too:
 * codes match as text, a task throws a coded business error with
 * `throw new BpmnError("CODE")`, and `data._error.code` of an error end
 * event is the file's error code.
 */
import { describe, expect, it } from "vitest";
import { Adhesive, BpmnError, InvalidBpmnError, type Data, type TaskFunction } from "adhesive-bpmn";
import { runInBpmnEngine, type PeerService } from "../bpmn/bpmn-engine.js";
import { fixture } from "./elements/scenario.js";

const ONBOARDING = fixture("../camunda/error-codes.bpmn");

/** Runs the onboarding file with these tasks (the others do nothing); the tasks that completed, in order, and the data. */
async function onboard(tasks: Record<string, TaskFunction>): Promise<{ completed: string[]; data: Data }> {
  const adhesive = new Adhesive();
  for (const name of ["Fetch customer", "Create customer", "Look up blocklist", "Notify sales"]) adhesive.task(name, tasks[name] ?? (() => undefined));
  const completed: string[] = [];
  const data = await adhesive.bpmnBuild(ONBOARDING, { reporter: { taskFinished: (ctx, error) => void (error === undefined && completed.push(ctx.taskName)) } });
  return { completed, data };
}

const ok: PeerService = (_context, callback) => callback(null);
const peerServices = (overrides: Record<string, PeerService>) => ({ fetchCustomer: ok, createCustomer: ok, lookUpBlocklist: ok, notifySales: ok, ...overrides });

describe("error codes", () => {
  it("a task throwing { code: 404 } is caught by the boundary of errorCode=\"404\", as in bpmn-engine", async () => {
    const { completed, data } = await onboard({
      "Fetch customer": () => {
        throw Object.assign(new Error("no such customer"), { code: 404 });
      },
    });
    const peer = await runInBpmnEngine(ONBOARDING, { services: peerServices({ fetchCustomer: (_c, callback) => callback(Object.assign(new Error("no such customer"), { code: 404 })) }) });
    expect(completed).toEqual(["Create customer"]);
    expect(peer.completed).toEqual(completed);
    expect(data._error).toMatchObject({ message: "no such customer", code: "404", elementId: "Task_Fetch" });
  });

  it("a thrown plain object { code: 404 } is caught the same way", async () => {
    const { completed, data } = await onboard({
      "Fetch customer": () => {
        throw { code: 404, message: "no such customer" };
      },
    });
    expect(completed).toEqual(["Create customer"]);
    expect(data._error).toMatchObject({ message: "no such customer", code: "404" });
  });

  it("an error end event's data._error.code is the file's error code, and its boundary catches it, as in bpmn-engine", async () => {
    const { completed, data } = await onboard({});
    const peer = await runInBpmnEngine(ONBOARDING, { services: peerServices({}) });
    expect(completed).toEqual(["Fetch customer", "Look up blocklist", "Notify sales"]);
    expect(peer.completed).toEqual(completed);
    expect((data._error as { code: string }).code).toBe("CUSTOMER_BLOCKED");
  });

  it("throw new BpmnError(\"CUSTOMER_BLOCKED\") in a task is caught by the boundary of that code around it", async () => {
    const { completed, data } = await onboard({
      "Look up blocklist": () => {
        throw new BpmnError("CUSTOMER_BLOCKED", "on the blocklist since 2024");
      },
    });
    expect(completed).toEqual(["Fetch customer", "Notify sales"]);
    expect(data._error).toMatchObject({ code: "CUSTOMER_BLOCKED", message: "on the blocklist since 2024", elementId: "Task_Lookup" });
  });

  it("BpmnError is the business error; an unreadable file is an InvalidBpmnError with the code it always had", async () => {
    const error = new BpmnError("CODE");
    expect([error.code, error.message, error.name]).toEqual(["CODE", 'BPMN error "CODE"', "BpmnError"]);
    expect(new BpmnError(404).code).toBe("404");
    const invalid = await new Adhesive().bpmnBuild(fixture("../camunda/no-such-file.bpmn")).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(InvalidBpmnError);
    expect(invalid).not.toBeInstanceOf(BpmnError);
    expect((invalid as InvalidBpmnError).code).toBe("ADHESIVE_BPMN_INVALID");
  });
});
