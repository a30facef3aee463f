/*
 * Process data in the caller's own type (issue 23): task<OrderData>() types
 * ctx.data, bpmnBuild<OrderData>() types initial data and result, and an
 * interface (which has no index signature) is accepted. The @ts-expect-error
 * lines are checked by `tsc --noEmit` in npm test: each fails the build if
 * it stops being an error.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, expectTypeOf, it } from "vitest";
import { Adhesive, type Context } from "../../src/index.js";

const parallelJoin = fileURLToPath(new URL("../fixtures/engine/parallel-join.bpmn", import.meta.url));

interface OrderData {
  id: string;
  lines: Array<{ sku: string; qty: number }>;
  left?: number;
  right?: number;
  total?: number;
}

describe("typed process data", () => {
  it("types ctx.data and the result with an interface", async () => {
    const data = await new Adhesive()
      .task<OrderData>("Left", (ctx) => {
        expectTypeOf(ctx.data).toEqualTypeOf<OrderData>();
        ctx.data.left = ctx.data.lines[0].qty;
      })
      .task<OrderData>("Right", (ctx) => {
        ctx.data.right = ctx.data.lines[1].qty;
        // @ts-expect-error: not a key of OrderData
        ctx.data.rigth = 1;
      })
      .task<OrderData>("Together", (ctx) => {
        ctx.data.total = (ctx.data.left ?? 0) + (ctx.data.right ?? 0);
      })
      .bpmnBuild<OrderData>(parallelJoin, {
        journal: false,
        initialData: {
          id: "A",
          lines: [
            { sku: "x", qty: 2 },
            { sku: "y", qty: 3 },
          ],
        },
      });
    expectTypeOf(data).toEqualTypeOf<OrderData>();
    expect(data).toMatchObject({ id: "A", left: 2, right: 3, total: 5 });
  });

  it("keeps untyped data as it was: initial data does not narrow the result", async () => {
    const data = await new Adhesive().task(["Left", "Right", "Together"], (ctx) => void (ctx.data.seen = true)).bpmnBuild(parallelJoin, { journal: false, initialData: { id: "A" } });
    expectTypeOf(data.seen).toEqualTypeOf<unknown>();
    expect(data.seen).toBe(true);
  });

  it("refuses initial data of another shape", () => {
    const adhesive = new Adhesive();
    // @ts-expect-error: id is a string in OrderData
    const typo = (): Promise<OrderData> => adhesive.bpmnBuild<OrderData>(parallelJoin, { initialData: { id: 1 } });
    expect(typeof typo).toBe("function");
    expectTypeOf<Context<OrderData>["data"]>().toEqualTypeOf<OrderData>();
  });
});
