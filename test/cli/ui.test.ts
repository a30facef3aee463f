/*
 * `adhesive ui` refuses what it cannot do before it serves anything: a file
 * (it shows runs, it runs nothing), a port that is not one, a port in use,
 * and --port on another command. (What it serves: test/console/console.test.ts.)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { adhesive } from "./run-cli.js";

const project = mkdtempSync(join(tmpdir(), "adhesive-ui-usage-"));
const env = { HOME: project, ADHESIVE_RUNS_FOLDER: join(project, "runs") };
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe("adhesive ui", () => {
  it("exits 2 for a file, a port that is not one, and --port on a run", async () => {
    const file = await adhesive(["ui", "orders.ts"], env, project);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain("adhesive ui: takes no files (got orders.ts)");
    const port = await adhesive(["ui", "--port", "0"], env, project);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('adhesive ui: --port must be a port number from 1 to 65535, got "0"');
    const run = await adhesive(["--port", "8080", "orders.ts"], env, project);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--port is for adhesive ui");
  });

  it("exits 1 naming the port when it is in use", async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as { port: number };
    try {
      const result = await adhesive(["ui", "--port", String(port)], env, project);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`adhesive ui: port ${port} on 127.0.0.1 is in use`);
    } finally {
      taken.close();
    }
  });
});
