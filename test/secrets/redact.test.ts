import { afterEach, describe, expect, it } from "vitest";
import { clearSecrets, redact, registeredSecrets, registerSecret, REDACTED } from "../../src/secrets/redact.js";
import { redactError } from "../../src/secrets/redact-error.js";
import { CommandError } from "../../src/workspaces/command-error.js";

afterEach(() => clearSecrets());

describe("redact", () => {
  it("masks every registered value, and each line of a multi-line value", () => {
    registerSecret("first-line-abc\nsecond-line-def\n");
    expect(redact("x first-line-abc\nsecond-line-def y")).toBe(`x ${REDACTED} y`);
    expect(redact("only second-line-def here, twice: second-line-def")).toBe(`only ${REDACTED} here, twice: ${REDACTED}`);
    expect(registeredSecrets()).toContain("first-line-abc");
  });

  it("ignores values shorter than 4 characters, and treats values literally (no regex)", () => {
    registerSecret("abc");
    registerSecret("a.b*c$1");
    expect(redact("abc abc")).toBe("abc abc");
    expect(redact("aXbbc a.b*c$1")).toBe(`aXbbc ${REDACTED}`);
  });

  it("leaves text alone when nothing is registered", () => {
    expect(redact("nothing secret")).toBe("nothing secret");
  });

  it("CommandError masks the command, the output and the message", () => {
    registerSecret("hunter2-password");
    const error = new CommandError("login --password hunter2-password", 1, undefined, "bad password hunter2-password\n");
    expect(error.command).toBe(`login --password ${REDACTED}`);
    expect(error.output).toBe(`bad password ${REDACTED}`);
    expect(error.message).not.toContain("hunter2");
    expect(error.message).toContain(`bad password ${REDACTED}`);
  });

  it("redactError masks an error in place (message, stack, string properties, causes, AggregateError errors) and keeps its class", () => {
    registerSecret("hunter2-password");
    const inner = new Error("inner hunter2-password");
    const error = Object.assign(new AggregateError([inner, "text hunter2-password"], "outer hunter2-password", { cause: inner }), {
      code: "E_hunter2-password",
      self: undefined as unknown,
    });
    error.self = error; // a cycle is walked once
    expect(redactError(error)).toBe(error);
    expect(error).toBeInstanceOf(AggregateError);
    expect(error.message).toBe(`outer ${REDACTED}`);
    expect(error.stack).toContain(`AggregateError: outer ${REDACTED}`);
    expect(error.code).toBe(`E_${REDACTED}`);
    expect(inner.message).toBe(`inner ${REDACTED}`);
    expect(error.errors).toEqual([inner, `text ${REDACTED}`]);
    expect(redactError("thrown hunter2-password")).toBe(`thrown ${REDACTED}`);
    expect(redactError(42)).toBe(42);
  });

  it("redactError replaces a frozen error by one with the same name, code and masked text", () => {
    registerSecret("hunter2-password");
    const frozen = Object.freeze(Object.assign(new TypeError("frozen hunter2-password"), { code: "E_FROZEN" }));
    const copy = redactError(frozen) as Error & { code: string };
    expect(copy).not.toBe(frozen);
    expect(copy).toMatchObject({ name: "TypeError", message: `frozen ${REDACTED}`, code: "E_FROZEN" });
    expect(copy.stack).toContain(`TypeError: frozen ${REDACTED}`);
  });
});
