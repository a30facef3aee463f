import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ALL_KINDS, KINDS } from "../../src/model/kinds.js";

/* the element table (docs/elements.md) is the user's answer to "does adhesive run my file": it must not forget a kind the reader knows */
const page = readFileSync(new URL("../../docs/elements.md", import.meta.url), "utf8");
const table = page.slice(page.indexOf("## Elements"), page.indexOf("## Attributes"));

function localName(element: string): string {
  const name = element.split(":")[1];
  return name[0].toLowerCase() + name.slice(1);
}

describe("the table of BPMN elements in docs/elements.md", () => {
  it("names every task and gateway element adhesive reads", () => {
    const elements = ALL_KINDS.filter((kind) => KINDS[kind].family === "activity" || KINDS[kind].family === "gateway").flatMap((kind) => KINDS[kind].elements);
    const missing = elements.map(localName).filter((name) => !table.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it("names every event definition adhesive reads, per position", () => {
    const rows = table.split("\n");
    const missing: string[] = [];
    for (const kind of ALL_KINDS) {
      const { position, direction, triggers } = KINDS[kind];
      if (position === undefined || KINDS[kind].multiple === true) continue;
      const label = position === "intermediate" ? `intermediate ${direction} event` : `${position} event`;
      const row = rows.filter((line) => line.startsWith(`| ${label}:`)).join("\n");
      for (const trigger of triggers) {
        const word = trigger === "compensate" ? "compensation" : trigger;
        if (!row.includes(word) && !(trigger === "none" && rows.some((line) => line.startsWith(`| ${label.replace(" event", "")} event without`)))) missing.push(`${kind}: ${trigger}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
