/*
 * Property: whatever happens to a real BPMN file on its way (a flipped byte,
 * a cut-off download, a hand edit that drops an attribute or duplicates an
 * element), loadBpmn answers with a model or an InvalidBpmnError listing precise
 * problems, never with a crash and never through its "reader bug" fallback.
 * The files are the project's fixtures and the BPMN MIWG corpus of eight
 * modelers (read in place from shared/, see shared/corpus/README.md).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidBpmnError, loadBpmn } from "../../src/index.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const CORPUS_PLACES = [join(root, "..", "shared", "corpus", "miwg"), "/work/shared/corpus/miwg"];
const corpus = CORPUS_PLACES.find((place) => existsSync(place));
if (corpus === undefined) throw new Error(`the MIWG corpus is missing: looked in ${CORPUS_PLACES.join(" and ")} (shared/corpus/miwg beside the repository)`);

function bpmnFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".bpmn"))
    .map((file) => join(folder, file))
    .sort();
}

const files = [...bpmnFiles(join(root, "test", "fixtures")), ...bpmnFiles(corpus)];
const contents = new Map(files.map((file) => [file, readFileSync(file)]));
// bounded so the suite stays fast; ADHESIVE_PROPERTY_RUNS=5000 explores further
const RUNS = Number(process.env.ADHESIVE_PROPERTY_RUNS ?? 60);

type Mutation = (bytes: Buffer) => Buffer;

const pick = <T>(items: readonly T[], n: number): T | undefined => (items.length === 0 ? undefined : items[n % items.length]);

/** Every match of `pattern` in the text, as [start, end] byte ranges (the text is read as latin1, one char per byte). */
function ranges(bytes: Buffer, pattern: RegExp): Array<[number, number]> {
  return [...bytes.toString("latin1").matchAll(pattern)].map((match) => [match.index, match.index + match[0].length]);
}

const splice = (bytes: Buffer, start: number, end: number, insert: Buffer | string = Buffer.alloc(0)): Buffer =>
  Buffer.concat([bytes.subarray(0, start), typeof insert === "string" ? Buffer.from(insert, "latin1") : insert, bytes.subarray(end)]);

const mutations: Record<string, fc.Arbitrary<Mutation>> = {
  "a flipped byte": fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, value]) => (bytes) => {
    const copy = Buffer.from(bytes);
    copy[at % copy.length] = value;
    return copy;
  }),
  truncation: fc.nat().map((at) => (bytes) => bytes.subarray(0, at % bytes.length)),
  "a deleted attribute": fc.nat().map((n) => (bytes) => {
    const attribute = pick(ranges(bytes, /\s[\w:.-]+\s*=\s*("[^"]*"|'[^']*')/g), n);
    return attribute === undefined ? bytes : splice(bytes, ...attribute);
  }),
  "a duplicated element or line": fc.tuple(fc.nat(), fc.boolean()).map(([n, wholeLine]) => (bytes) => {
    const pattern = wholeLine ? /[^\n]*\n/g : /<[\w:.-]+(\s[^<>]*)?\/>|<([\w:.-]+)(\s[^<>]*)?>[^<]*<\/\2>/g;
    const element = pick(ranges(bytes, pattern), n);
    return element === undefined ? bytes : splice(bytes, element[1], element[1], bytes.subarray(...element));
  }),
  "an inserted fragment": fc
    .tuple(fc.nat(), fc.oneof(fc.constantFrom("<", ">", "&", '"', "]]>", "<!--", "\u0000", "&#0;", "&bogus;", "<![CDATA[", "</definitions>", '<subProcess id="x">', 'id="start"'), fc.string()))
    .map(([at, text]) => (bytes) => splice(bytes, at % (bytes.length + 1), at % (bytes.length + 1), Buffer.from(text, "utf8"))),
  "a removed range": fc.tuple(fc.nat(), fc.integer({ min: 1, max: 400 })).map(([at, length]) => (bytes) => {
    const start = at % bytes.length;
    return splice(bytes, start, Math.min(bytes.length, start + length));
  }),
};

const folder = await mkdtemp(join(tmpdir(), "adhesive-mutated-"));
let written = 0;

async function answerTo(bytes: Buffer): Promise<unknown> {
  const file = join(folder, `mutated-${written++ % 8}.bpmn`);
  await writeFile(file, bytes);
  return loadBpmn(file).then(
    (model) => model,
    (error: unknown) => error,
  );
}

function checkAnswer(answer: unknown, what: string): void {
  if (answer instanceof InvalidBpmnError) {
    expect(answer.problems.length, what).toBeGreaterThan(0);
    for (const problem of answer.problems) {
      expect(typeof problem.elementId, what).toBe("string");
      expect(problem.message, what).not.toBe("");
      // the reader's last-resort catch turns its own bugs into this; a mutated file must not get there
      expect(problem.message, what).not.toMatch(/^cannot read the BPMN:/);
    }
    return;
  }
  expect(answer, what).toMatchObject({ root: { nodes: expect.any(Array), flows: expect.any(Array) } });
}

describe(`loadBpmn on mutated real files (${files.length} files: the fixtures and ${relative(root, corpus)})`, () => {
  for (const [name, mutation] of Object.entries(mutations)) {
    it(`${name}: a model or an InvalidBpmnError`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...files), mutation, async (file, mutate) => {
          checkAnswer(await answerTo(mutate(contents.get(file)!)), `${name} of ${file}`);
        }),
        { numRuns: RUNS },
      );
    });
  }

  it("several mutations in a row: a model or an InvalidBpmnError", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...files), fc.array(fc.oneof(...Object.values(mutations)), { minLength: 2, maxLength: 6 }), async (file, steps) => {
        checkAnswer(await answerTo(steps.reduce<Buffer>((bytes, mutate) => mutate(bytes), contents.get(file)!)), `mutations of ${file}`);
      }),
      { numRuns: RUNS },
    );
  });
});
