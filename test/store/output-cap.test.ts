/*
 * A remote task's output as its job's result carries it: given a cap,
 * when a task prints less, then all of it is kept; when it prints more,
 * then what fits is kept, cut at a whole character, and a last line says
 * how many bytes were dropped.
 */
import { describe, expect, it } from "vitest";
import { CappedOutput } from "../../src/store/output-cap.js";

describe("a remote task's captured output", () => {
  it("is kept whole under the cap, and nothing printed is nothing", () => {
    const output = new CappedOutput(10);
    expect(output.text()).toBeUndefined();
    output.add("12345");
    output.add("67890");
    expect(output.text()).toBe("1234567890");
  });

  it("is cut at the cap with a marker counting the bytes dropped, never inside a character", () => {
    const output = new CappedOutput(10);
    output.add("12345678");
    output.add("ééé"); // 6 bytes: one fits whole, the second would be split
    output.add("more\n");
    expect(output.text()).toBe("12345678é\n[output truncated: 9 bytes]\n");
  });
});
