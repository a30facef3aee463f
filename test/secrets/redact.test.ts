import { afterEach, describe, expect, it } from "vitest";
import { clearSecrets, encodingsOf, redact, redactJson, redactValue, registeredSecrets, registerSecret, REDACTED } from "../../src/secrets/redact.js";
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

describe("redact: the forms a secret takes in text", () => {
  const secret = 'p"a\\ss w/o$rd';
  const quote = (value: string) => `'${value.replace(/'/g, "'\\''")}'`;

  it.each([
    ["as it is", secret],
    ["JSON-escaped", JSON.stringify(secret)],
    ["JSON-escaped twice", JSON.stringify(JSON.stringify(secret))],
    ["JSON with / escaped", JSON.stringify(secret).replace(/\//g, "\\/")],
    ["encodeURIComponent", encodeURIComponent(secret)],
    ["encodeURIComponent, lower-case hex", encodeURIComponent(secret).toLowerCase()],
    ["encodeURI", encodeURI(secret)],
    ["a form-encoded query", new URLSearchParams({ password: secret }).toString()],
    ["shell-quoted '…'", quote(secret)],
    ['shell-quoted "…"', `"${secret.replace(/["\\$`]/g, "\\$&")}"`],
    ["shell, backslash-escaped", secret.replace(/[^\w./-]/g, "\\$&")],
    ["HTML-escaped", secret.replace(/&/g, "&amp;").replace(/"/g, "&quot;")],
  ])("%s", (_how, text) => {
    registerSecret(`${secret}\n`);
    const masked = redact(`before ${text} after`);
    expect(masked).toContain(REDACTED);
    for (const part of ["p\"a", "ss w", "o$rd", "ss%20w", "ss+w", "ss\\ w"]) expect(masked).not.toContain(part);
  });

  it("base64 and base64url at each of the three alignments inside a longer encoded text", () => {
    registerSecret(secret);
    for (const before of ["", "a", "ab", "abc", "token="]) {
      const bytes = Buffer.from(`${before}${secret}!tail`);
      for (const encoded of [bytes.toString("base64"), bytes.toString("base64url")]) {
        const masked = redact(encoded);
        expect(masked, `${before} ${encoded}`).toContain(REDACTED);
        // what is left decodes to text without the value, or any long part of it
        expect(masked.replace(REDACTED, "").length).toBeLessThan(encoded.length - 8);
      }
    }
  });

  it("keeps ordinary text: a short value has no base64 form, and nothing else is touched", () => {
    registerSecret("abcd");
    expect(redact("YWJjZA== abcd %61%62")).toBe(`YWJjZA== ${REDACTED} %61%62`);
  });
});

describe("redactJson and redactValue", () => {
  const secret = 'p"a\\ss w/o$rd';

  it("redactJson masks strings, keys and a secret's digits, and stays valid JSON", () => {
    registerSecret(secret);
    registerSecret("20260101");
    const value = { a: secret, [secret]: 1, nested: [`say ${secret}`, JSON.stringify({ pw: secret })], pin: 20260101, ["__proto__"]: secret, count: 3 };
    const text = redactJson(JSON.parse(JSON.stringify(value)));
    expect(JSON.parse(text)).toEqual({ a: REDACTED, [REDACTED]: 1, nested: [`say ${REDACTED}`, `{"pw":"${REDACTED}"}`], pin: REDACTED, ["__proto__"]: REDACTED, count: 3 });
    for (const form of encodingsOf(secret)) expect(text).not.toContain(form);
    // a secret whose JSON form would cut an escape sequence: masked string by string, the text still parses
    registerSecret("nabcdef");
    expect(JSON.parse(redactJson({ text: "x\nabcdef" }))).toEqual({ text: "x\nabcdef" });
  });

  it("redactValue copies what holds a secret (cycles, shared parts, Map, Set, Buffer, Error) and leaves the rest as it is", () => {
    const untouched = { a: 1, list: ["x"] };
    expect(redactValue(untouched)).toBe(untouched);
    registerSecret(secret);
    expect(redactValue(untouched)).toBe(untouched);
    const shared = { note: secret };
    const data: Record<string, unknown> = { shared, again: shared, map: new Map([[secret, new Set([secret])]]), bytes: Buffer.from(`key=${secret}`), error: new Error(`bad ${secret}`), when: new Date(0) };
    data.self = data;
    const copy = redactValue(data);
    expect(copy).not.toBe(data);
    expect(copy.self).toBe(copy);
    expect(copy.again).toBe(copy.shared);
    expect(copy.shared).toEqual({ note: REDACTED });
    expect(copy.map).toEqual(new Map([[REDACTED, new Set([REDACTED])]]));
    expect((copy.bytes as Buffer).toString()).toBe(`key=${REDACTED}`);
    expect((copy.error as Error).message).toBe(`bad ${REDACTED}`);
    expect(copy.when).toBe(data.when);
    // the original is not changed
    expect(shared.note).toBe(secret);
  });
});
