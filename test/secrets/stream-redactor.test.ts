/*
 * The rolling window: however output is cut into pieces, what comes out is
 * what redacting the whole text at once gives.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { clearSecrets, redact, registeredSecrets, registerSecret, REDACTED } from "../../src/secrets/redact.js";
import { StreamRedactor } from "../../src/secrets/stream-redactor.js";

afterEach(() => clearSecrets());

/* few letters, so values overlap, repeat and begin like each other; "é" and an astral emoji for multi-unit characters */
const letter = fc.constantFrom("a", "b", "c", "\n", " ", "é", "😀", "*");
const value = fc.string({ unit: letter, minLength: 4, maxLength: 12 });

/** Secrets, and a text made of random runs and copies (or beginnings) of those secrets. */
const scenario = fc.array(value, { minLength: 1, maxLength: 4 }).chain((secrets) =>
  fc.record({
    secrets: fc.constant(secrets),
    text: fc
      .array(
        fc.oneof(
          fc.string({ unit: letter, maxLength: 8 }),
          fc.constantFrom(...secrets),
          fc.constantFrom(...secrets).chain((secret) => fc.nat({ max: secret.length }).map((n) => secret.slice(0, n))),
        ),
        { maxLength: 12 },
      )
      .map((parts) => parts.join("")),
    cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }),
  }),
);

function pieces(text: string, cuts: number[]): string[] {
  const at = [...new Set(cuts.map((cut) => Math.floor(cut * text.length)))].sort((a, b) => a - b);
  const result: string[] = [];
  let from = 0;
  for (const cut of [...at, text.length]) {
    result.push(text.slice(from, cut));
    from = cut;
  }
  return result;
}

function streamed(chunks: string[]): string {
  let out = "";
  const stream = new StreamRedactor((text) => (out += text));
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  return out;
}

describe("StreamRedactor", () => {
  it("for any split of any text into pieces, the redacted pieces joined equal the whole text redacted", () => {
    fc.assert(
      fc.property(scenario, ({ secrets, text, cuts }) => {
        clearSecrets();
        for (const secret of secrets) registerSecret(secret);
        expect(streamed(pieces(text, cuts))).toBe(redact(text));
      }),
      { numRuns: 2000 },
    );
  });

  it("leaves no registered value in what it writes out (values without '*', which the mask is made of)", () => {
    fc.assert(
      fc.property(scenario, ({ secrets, text, cuts }) => {
        clearSecrets();
        const plain = secrets.map((secret) => secret.replaceAll("*", "a"));
        for (const secret of plain) registerSecret(secret);
        const out = streamed(pieces(text.replaceAll("*", "a"), cuts));
        for (const secret of registeredSecrets()) expect(out).not.toContain(secret);
      }),
      { numRuns: 1000 },
    );
  });

  it("holds back only what could be the beginning of a value, and writes it out at the end", () => {
    registerSecret("hunter2-password");
    const written: string[] = [];
    const stream = new StreamRedactor((text) => written.push(text));
    stream.write("log in as bob with hunter2");
    expect(written).toEqual(["log in as bob with "]);
    stream.write("-pass");
    stream.write("word, then go on\n");
    expect(written.join("")).toBe(`log in as bob with ${REDACTED}, then go on\n`);
    stream.write("ends with hun");
    stream.end();
    expect(written.join("")).toBe(`log in as bob with ${REDACTED}, then go on\nends with hun`);
    stream.write("dropped after the end");
    expect(written.join("")).not.toContain("dropped");
  });

  it("masks a value registered while the stream runs in what it still holds", () => {
    registerSecret("first-secret");
    const written: string[] = [];
    const stream = new StreamRedactor((text) => written.push(text));
    stream.write("token: first-sec");
    registerSecret("first-second-value");
    stream.write("ond-value!");
    stream.end();
    expect(written.join("")).toBe(`token: ${REDACTED}!`);
  });
});
