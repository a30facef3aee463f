import { afterEach, describe, expect, it } from "vitest";
import { clearSecrets, registerSecret } from "../../src/secrets/redact.js";
import { shown, visibleColored, visibleLine, visibleLines } from "../../src/terminal-text.js";

afterEach(() => clearSecrets());

describe("text from data on the terminal", () => {
  const hostile = "\u001b]0;pwned\u0007 and \u001b[2J\u009b31m\u202eevil\r";

  it("one line: every control character escaped, tabs and newlines too, nothing dropped", () => {
    expect(visibleLine(`${hostile}\ta\nb\u0000`)).toBe("\\x1b]0;pwned\\x07 and \\x1b[2J\\x9b31m\\u202eevil\\r\\ta\\nb\\x00");
    expect(visibleLine("Deploy web-1 → prod (ünïcode)")).toBe("Deploy web-1 → prod (ünïcode)");
  });

  it("several lines: newlines and tabs kept, CRLF made LF, a lone CR and the rest escaped", () => {
    expect(visibleLines(`a\tb\r\nc\rd\u001b[2Je\n`)).toBe("a\tb\nc\\rd\\x1b[2Je\n");
  });

  it("a task's live output keeps its colours (SGR) and nothing else", () => {
    expect(visibleColored("\u001b[31mred\u001b[0m \u001b[1;32mok\u001b[m \u001b[2J\u001b]0;t\u0007")).toBe("\u001b[31mred\u001b[0m \u001b[1;32mok\u001b[m \\x1b[2J\\x1b]0;t\\x07");
  });

  it("shown() masks a secret in any of its forms before escaping", () => {
    registerSecret('p"a\\ss w/o$rd');
    expect(shown(`Deploy p"a\\ss w/o$rd \u001b[2J`)).toBe("Deploy ******** \\x1b[2J");
    expect(shown(`Deploy ${JSON.stringify('p"a\\ss w/o$rd')}`)).toBe('Deploy "********"');
  });
});
