/*
 * A BPMN file's bytes become text the way XML says: its byte order mark,
 * else its declared encoding, else UTF-8. Bytes that are not valid in that
 * encoding, and characters XML forbids, are an InvalidBpmnError with line and column.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readBpmn } from "../../src/bpmn/read.js";
import { loadBpmn } from "../../src/index.js";
import { problemsOf } from "./problems.js";

const encodings = fileURLToPath(new URL("../fixtures/bpmn/encodings/", import.meta.url));

async function problemOf(pending: Promise<unknown>): Promise<string> {
  const problems = await problemsOf(pending);
  expect(problems).toHaveLength(1);
  return problems[0].message;
}

const taskName = async (file: string) => (await loadBpmn(join(encodings, file))).root.nodes.find((node) => node.id === "check")?.name;

describe("the encoding of a BPMN file", () => {
  it.each([
    ["latin1.bpmn", "Größe prüfen für Café"],
    ["windows-1252.bpmn", "Größe prüfen für Café – 5 €"],
    ["utf8-bom.bpmn", "Größe prüfen für Café"],
    ["utf16le-bom.bpmn", "Größe prüfen für Café"],
    ["utf16be-bom.bpmn", "Größe prüfen für Café"],
  ])("%s loads with its names intact", async (file, name) => {
    expect(await taskName(file)).toBe(name);
  });

  it("Latin-1 bytes in a file that declares UTF-8 are an error at their line and column, not U+FFFD", async () => {
    const message = await problemOf(loadBpmn(join(encodings, "latin1-declared-utf8.bpmn")));
    expect(message).toBe('bytes that are not valid UTF-8 (the XML declaration says encoding="UTF-8") at line 5, column 30, byte offset 257');
  });

  it("an encoding nobody knows is named", async () => {
    expect(await problemOf(loadBpmn(join(encodings, "unknown-encoding.bpmn")))).toBe('the XML declaration names the encoding "ebcdic-xyz", which is not supported');
  });

  it("a NUL byte is an error at its line and column, from a file or from a string", async () => {
    expect(await problemOf(loadBpmn(join(encodings, "nul.bpmn")))).toBe("the character U+0000 is not allowed in XML, at line 5, column 33");
    expect(await problemOf(readBpmn("<definitions>\n  <process id=\"p\">\u0007</process></definitions>", "inline.bpmn"))).toBe(
      "the character U+0007 is not allowed in XML, at line 2, column 19",
    );
  });
});
