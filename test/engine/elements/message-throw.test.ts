/*
 * A message throw event without a message flow sends through the
 * implementation of its name; a compensate end event that names an
 * activity compensates that one only; a conditional start event starts the
 * process when its condition holds on the initial data.
 */
import { describe, expect, it } from "vitest";
import { scenario } from "./scenario.js";

function shop() {
  const sent: unknown[] = [];
  const t = scenario("throws.bpmn", (a) => {
    a.task("Take payment", (ctx) => void (ctx.data.paid = 20));
    a.task(["Reserve stock", "Refund payment", "Release stock"], () => undefined);
    a.task("Tell the shop", (ctx) => void sent.push({ ...ctx.data }));
  });
  return { t, sent };
}

describe("throw events", () => {
  it("the message throw event runs its implementation; the compensate end event refunds the payment and keeps the stock", async () => {
    const { t, sent } = shop();
    await t.run({ initialData: { go: true } });
    expect(t.ran).toEqual(["Take payment", "Reserve stock", "Tell the shop", "Refund payment"]);
    expect(sent).toEqual([{ go: true, paid: 20 }]);
  });

  it("a conditional start event whose condition does not hold on the initial data starts nothing", async () => {
    const { t } = shop();
    const data = await t.run({ initialData: { go: false } });
    expect(t.ran).toEqual([]);
    expect(data).toEqual({ go: false });
  });
});
