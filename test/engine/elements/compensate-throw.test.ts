/*
 * Compensation: the handlers linked to completed activities run, in
 * reverse order of completion, when a compensate throw event is reached,
 * each with the data its activity completed with; a transaction's cancel
 * end event compensates what it did and leaves by its cancel boundary. A
 * throw naming a completed sub-process compensates what completed inside
 * it, or runs its compensation event sub-process, which may name the
 * sub-process's activities (BPMN 10.7, Camunda's compensation events).
 * bpmn-engine never completes a sub-process holding compensate boundary
 * events, so it cannot run these two files.
 */
import { describe, expect, it } from "vitest";
import { noop, scenario } from "./scenario.js";

function trip(file: string) {
  const handled: Record<string, unknown> = {};
  const t = scenario(file, (a) => {
    a.task("Book flight", (ctx) => void (ctx.data.flight = "LH 100"));
    a.task("Book hotel", (ctx) => void (ctx.data.hotel = "Grand"));
    a.task(["Cancel flight", "Cancel hotel", "Release seat", "Tell the agency", "Cancel trip"], (ctx) => void (handled[ctx.taskName] = { ...ctx.data }));
    noop(a, "Charge", "Apologize", "Confirm", "Tell the customer", "Reserve seat", "Note booking");
  });
  return { t, handled };
}

describe("compensation", () => {
  it("nothing is compensated on the way that needs no undoing", async () => {
    const { t } = trip("compensation.bpmn");
    await t.run();
    expect(t.ran).toEqual(["Book flight", "Book hotel", "Charge"]);
  });

  it("a compensate throw event undoes the hotel, then the flight, each with the data it was booked with, then goes on", async () => {
    const { t, handled } = trip("compensation.bpmn");
    await t.run({ initialData: { declined: true } });
    expect(t.ran).toEqual(["Book flight", "Book hotel", "Charge", "Cancel hotel", "Cancel flight", "Apologize"]);
    expect(handled["Cancel flight"]).toEqual({ declined: true, flight: "LH 100" });
    expect(handled["Cancel hotel"]).toEqual({ declined: true, flight: "LH 100", hotel: "Grand" });
  });

  it("a cancel end event compensates the transaction's bookings and leaves by the cancel boundary", async () => {
    const { t } = trip("transaction.bpmn");
    await t.run({ initialData: { full: true } });
    expect(t.ran).toEqual(["Book flight", "Book hotel", "Cancel hotel", "Cancel flight", "Tell the customer"]);
    expect(t.count("Confirm")).toBe(0);
  });

  it("a transaction that completes is confirmed, nothing undone", async () => {
    const { t } = trip("transaction.bpmn");
    await t.run();
    expect(t.ran).toEqual(["Book flight", "Book hotel", "Confirm"]);
  });

  it("a throw naming a completed sub-process undoes what completed inside it, latest first, and nothing outside it", async () => {
    const { t, handled } = trip("compensation-sub-process.bpmn");
    await t.run();
    expect(t.ran).toEqual(["Reserve seat", "Book flight", "Note booking", "Book hotel", "Charge", "Cancel hotel", "Cancel flight", "Apologize"]);
    expect(t.count("Release seat")).toBe(0);
    expect(handled["Cancel flight"]).toEqual({ flight: "LH 100" });
    expect(handled["Cancel hotel"]).toEqual({ flight: "LH 100", hotel: "Grand" });
  });

  it("a completed sub-process with a compensate boundary event of its own is undone by its handler alone, with the data it completed with", async () => {
    const { t, handled } = trip("compensation-sub-process-handler.bpmn");
    await t.run();
    expect(t.ran).toEqual(["Reserve seat", "Book flight", "Note booking", "Book hotel", "Charge", "Cancel trip", "Apologize"]);
    expect(handled["Cancel trip"]).toEqual({ flight: "LH 100", hotel: "Grand" });
  });

  it("a completed sub-process with a compensation event sub-process is compensated by it; its throw undoes only the hotel it names", async () => {
    const { t, handled } = trip("compensation-event-sub-process.bpmn");
    await t.run({ initialData: { customer: "Ada" } });
    expect(t.ran).toEqual(["Book flight", "Book hotel", "Charge", "Tell the agency", "Cancel hotel", "Apologize"]);
    expect(t.count("Cancel flight")).toBe(0);
    // the event sub-process sees what the sub-process completed with
    expect(handled["Tell the agency"]).toEqual({ customer: "Ada", flight: "LH 100", hotel: "Grand" });
    expect(handled["Cancel hotel"]).toEqual({ customer: "Ada", flight: "LH 100", hotel: "Grand" });
  });
});
