/*
 * Packages only some users need (ssh2, @inquirer/core, bpmnlint, bullmq,
 * ioredis) are optional peer dependencies: a feature that needs a missing
 * one says which package to install, and one that is installed loads as
 * usual. Each feature without its package: test/package/optional-packages.test.ts.
 */
import { describe, expect, it } from "vitest";
import { MissingPackageError } from "../../src/index.js";
import { optionalPackage } from "../../src/optional-package.js";

describe("an optional package", () => {
  it("that is missing fails with the command that installs it", async () => {
    const name = "adhesive-no-such-package";
    const failure = await optionalPackage(name, "ssh()", () => import(name)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(MissingPackageError);
    expect((failure as MissingPackageError).code).toBe("ADHESIVE_MISSING_PACKAGE");
    expect((failure as Error).message).toBe("ssh() needs the adhesive-no-such-package package, which is not installed: run `npm install adhesive-no-such-package` in your project");
  });

  it("that is installed loads", async () => {
    const ssh2 = await optionalPackage("ssh2", "ssh()", () => import("ssh2"));
    expect(typeof ssh2.Client).toBe("function");
  });

  it("that fails for another reason says that reason", async () => {
    const failure = await optionalPackage("ssh2", "ssh()", () => Promise.reject(new Error("broken"))).catch((error: unknown) => error);
    expect(failure).not.toBeInstanceOf(MissingPackageError);
    expect((failure as Error).message).toBe("broken");
  });
});
