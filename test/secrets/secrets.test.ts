/**
 * Secrets with the real local workspace and real child processes: the
 * secret file in the workspace, its removal, and its value masked in
 * CommandError messages and output.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AdhesiveError } from "../../src/errors.js";
import { clearSecrets, redact, registeredSecrets } from "../../src/secrets/redact.js";
import { SecretError, withSecret, type WithSecretOptions } from "../../src/secrets/secrets.js";
import { CommandError } from "../../src/workspaces/command-error.js";
import { LocalWorkspace } from "../../src/workspaces/local.js";
import { bounded, until } from "../waiting.js";

const SECRET = "s3cr3t-passw0rd-line-one\nsecond-line-9f8e7d\n";
const LINES = ["s3cr3t-passw0rd-line-one", "second-line-9f8e7d"];

let root: string;
let folder: string;
let options: WithSecretOptions;

async function putSecret(where: "project" | "home", name: string, value: string): Promise<string> {
  const path = join(where === "project" ? options.projectFolder! : options.homeFolder!, ".adhesive", "secrets", name);
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, value);
  return path;
}

function workspace(signal?: AbortSignal): LocalWorkspace {
  return new LocalWorkspace({ id: "run-1", pwd: folder }, { signal, output: undefined });
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "adhesive-secrets-"));
  folder = join(root, "workspace");
  await mkdir(folder);
  options = { projectFolder: join(root, "project"), homeFolder: join(root, "home") };
});

afterEach(async () => {
  clearSecrets();
  await rm(root, { recursive: true, force: true });
});

describe("withSecret", () => {
  it("a task echoing its secret and failing: the CommandError shows no secret, the file is gone afterwards", async () => {
    await putSecret("project", "db_password", SECRET);
    const ws = workspace();
    const error = await withSecret(
      ws,
      "db_password",
      "secrets/db.txt",
      async (path) => {
        expect(path).toBe("secrets/db.txt");
        const file = join(folder, "secrets", "db.txt");
        expect(await readFile(file, "utf8")).toBe(SECRET);
        expect((await stat(file)).mode & 0o777).toBe(0o600);
        await ws.run(`echo "connecting with $(cat ${path})"; echo "password is ${LINES[1]}" >&2; exit 4`);
      },
      options,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    const failure = error as CommandError;
    expect(failure.exitCode).toBe(4);
    for (const text of [failure.message, failure.output, failure.command]) {
      for (const line of LINES) expect(text).not.toContain(line);
    }
    expect(failure.output).toContain("connecting with ********");
    expect(failure.output).toContain("password is ********");
    expect(failure.command).toContain("password is ********"); // the value typed into the command itself
    expect(failure.message).toContain("exited with code 4");
    expect(existsSync(join(folder, "secrets", "db.txt"))).toBe(false);
  });

  it("returns fn's result and removes the file; the project folder wins over the home folder", async () => {
    await putSecret("project", "token", "from-the-project");
    await putSecret("home", "token", "from-the-home");
    await putSecret("home", "only-home", "home-value");
    const ws = workspace();
    expect(await withSecret(ws, "token", "t", () => ws.readFile("t"), options)).toBe("from-the-project");
    expect(await withSecret(ws, "only-home", "h", () => ws.readFile("h"), options)).toBe("home-value");
    expect(existsSync(join(folder, "t"))).toBe(false);
    expect(existsSync(join(folder, "h"))).toBe(false);
  });

  it("removes the file when the task is cancelled while a command runs", async () => {
    await putSecret("project", "key", "cancel-me-secret");
    const controller = new AbortController();
    const ws = workspace(controller.signal);
    const outcome = withSecret(
      ws,
      "key",
      "key.pem",
      async () => {
        // cancelled once the command runs (it writes a file first); it would take an hour
        const running = join(folder, "running");
        void until(() => existsSync(running), "the command to run").then(
          () => controller.abort(new Error("cancelled by the test")),
          (error: unknown) => controller.abort(error),
        );
        await ws.run("echo > running; sleep 3600");
      },
      options,
    );
    await expect(bounded(outcome, "the cancelled command to settle")).rejects.toThrow("cancelled by the test");
    expect(existsSync(join(folder, "key.pem"))).toBe(false);
  });

  it("a missing secret is a coded error naming both places looked at", async () => {
    const error = await withSecret(workspace(), "nope", "x", () => undefined, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdhesiveError);
    expect((error as AdhesiveError).code).toBe("ADHESIVE_SECRET_NOT_FOUND");
    const message = (error as Error).message;
    expect(message).toContain('secret "nope" not found');
    expect(message).toContain(join(root, "project", ".adhesive", "secrets", "nope"));
    expect(message).toContain(join(root, "home", ".adhesive", "secrets", "nope"));
    expect(existsSync(join(folder, "x"))).toBe(false);
  });

  it("a secret shorter than 4 characters (surrounding whitespace not counted) is refused, naming the file, and never registered", async () => {
    const path = await putSecret("project", "pin", " 123\n");
    const ws = workspace();
    const error = await withSecret(ws, "pin", "pin.txt", () => ws.run("cat pin.txt"), options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretError);
    expect(error).toMatchObject({ code: "ADHESIVE_SECRET_TOO_SHORT", secret: "pin" });
    expect((error as Error).message).toBe(
      `secret "pin" in ${path} is only 3 characters long: a secret needs at least 4 characters (surrounding whitespace not counted), so that masking it in logs does not mask ordinary text`,
    );
    expect(existsSync(join(folder, "pin.txt"))).toBe(false);
    await putSecret("project", "empty", "\n");
    await expect(withSecret(ws, "empty", "e", () => undefined, options)).rejects.toThrow(/secret "empty" in .* is empty/);
    expect(registeredSecrets()).toEqual([]);
  });

  it("a secret that cannot be read names the file, never the value", async () => {
    await mkdir(join(root, "project", ".adhesive", "secrets", "a-folder"), { recursive: true });
    const error = await withSecret(workspace(), "a-folder", "x", () => undefined, options).catch((e: unknown) => e);
    expect((error as AdhesiveError).code).toBe("ADHESIVE_SECRET_UNREADABLE");
    expect((error as Error).message).toContain(join(root, "project", ".adhesive", "secrets", "a-folder"));
  });

  it("names cannot leave the secrets folder", async () => {
    // a file the traversal would reach: it must never be read
    await mkdir(join(root, "project", ".adhesive"), { recursive: true });
    await writeFile(join(root, "project", ".adhesive", "x"), "outside-the-secrets-folder");
    await putSecret("project", "nested/ok", "nested-value");
    for (const name of ["../x", "a/../../x", "..", "/etc/passwd", "", "./x", "a//b", "a\\..\\x", "nul\0l"]) {
      const error = await withSecret(workspace(), name, "x", () => undefined, options).catch((e: unknown) => e);
      expect((error as AdhesiveError).code, name).toBe("ADHESIVE_SECRET_NAME");
      expect((error as Error).message).toContain("invalid secret name");
    }
    expect(redact("outside-the-secrets-folder")).toBe("outside-the-secrets-folder"); // never read
    const ws = workspace();
    expect(await withSecret(ws, "nested/ok", "n", () => ws.readFile("n"), options)).toBe("nested-value");
  });
});
