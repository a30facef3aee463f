import { afterEach, describe, expect, it } from "vitest";
import { clearSecrets, redact, registeredSecrets, registerSecret, REDACTED } from "../../src/secrets/redact.js";
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
});
