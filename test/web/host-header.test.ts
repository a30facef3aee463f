/*
 * The live view's Host check against requests a browser would not send but
 * a rebinding attacker's tooling or a confused proxy might: two Host
 * headers. Node keeps only the first in request.headers, so a request whose
 * second Host names another site looked like one for 127.0.0.1. The server
 * is the real one, started by `adhesive runs --ui`; requests go over a raw
 * socket so the headers are exactly what the test writes.
 */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCli, type CliRun } from "./cli-run.js";

let cli: CliRun;
let url: URL;
let token: string;

beforeAll(async () => {
  cli = startCli(["runs", "--ui"]);
  const [, printed] = await cli.waitFor(/live view: (http:\S+)/);
  url = new URL(printed);
  token = url.searchParams.get("token")!;
}, 60_000);

afterAll(() => cli?.cleanup());

/** The status line's code and the body of a request written as `headers` lines. */
function raw(headers: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), "127.0.0.1");
    let text = "";
    socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
    socket.on("end", () => resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]), body: text.slice(text.indexOf("\r\n\r\n") + 4) }));
    socket.on("error", reject);
    socket.write(`GET /api/runs?token=${token} HTTP/1.1\r\n${headers.map((line) => `${line}\r\n`).join("")}Connection: close\r\n\r\n`);
  });
}

describe("the Host header of a live view request", () => {
  it("one naming this server is served", async () => {
    expect((await raw([`Host: 127.0.0.1:${url.port}`])).status).toBe(200);
  });

  it("two are refused with 400, whichever comes first, even both naming this server", async () => {
    const here = `Host: 127.0.0.1:${url.port}`;
    for (const headers of [[here, "Host: attacker.example"], ["Host: attacker.example", here], [here, here], [here, `host: localhost:${url.port}`]]) {
      const refused = await raw(headers);
      expect(refused.status, headers.join(" / ")).toBe(400);
      expect(refused.body).toContain("refused: 2 Host headers");
    }
  });
});
