/*
 * A runs folder on a read-only file system, and a disk that is full before
 * or during a run: the CLI says so in one line naming the folder or file and
 * the reason, never with a stack trace. Real file systems: a small tmpfs,
 * mounted (read-only, or tiny) in a private mount namespace with `unshare`,
 * where the system allows it; skipped where it does not.
 */
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { bin, fixture, root } from "../cli/run-cli.js";

/** The tests mount small and read-only file systems in a user namespace: without one they fail, naming why, never skip. */
function requireMounts(): void {
  const out = spawnSync("unshare", ["--user", "--map-root-user", "--mount", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"], { encoding: "utf8", timeout: 60_000 });
  if (out.status !== 0) throw new Error(`these tests need unshare (util-linux) and user namespaces that may mount tmpfs: ${out.error?.message ?? out.stderr}`);
}

/** Runs `script` (sh) as root of a user namespace with a private mount namespace; $NODE and $BIN name node and the CLI. */
function inNamespace(script: string): { code: number | null; stdout: string; stderr: string } {
  const out = spawnSync("unshare", ["--user", "--map-root-user", "--mount", "sh", "-c", `set -e\n${script}`], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...withoutRunsFolder(), NODE: process.execPath, BIN: bin, NO_COLOR: "1" },
  });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

/* each command names its folders (the test worker's own runs folder, test/setup.ts, must not leak in) */
function withoutRunsFolder(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.ADHESIVE_RUNS_FOLDER;
  return env;
}

/* what the CLI printed between the markers the script echoes */
function between(text: string, name: string): string {
  return text.split(`<<${name}>>\n`)[1]?.split("<<end>>")[0] ?? "";
}

const mounts = (size: string) => `
dir=$(mktemp -d)
mkdir -p $dir/ro $dir/full
mount -t tmpfs -o size=1m,ro tmpfs $dir/ro
mount -t tmpfs -o size=${size} tmpfs $dir/full
`;

describe("a runs folder that cannot be written", () => {
  beforeAll(requireMounts);

  it("read-only: exit 2, one line naming the folder and saying the file system is read-only (a run, adhesive clean)", () => {
    const { stdout } = inNamespace(`${mounts("1m")}
echo "<<runs>>"; ADHESIVE_RUNS_FOLDER=$dir/ro/runs ADHESIVE_TEMP_FOLDER=$dir/full/temp "$NODE" "$BIN" ${fixture("cli/pipeline.ts")} 2>&1 || echo "exit $?"; echo "<<end>>"
echo "<<temp>>"; ADHESIVE_RUNS_FOLDER=$dir/full/runs ADHESIVE_TEMP_FOLDER=$dir/ro/temp "$NODE" "$BIN" ${fixture("cli/pipeline.ts")} 2>&1 || echo "exit $?"; echo "<<end>>"
echo "<<left>>"; ls $dir/full/runs 2>/dev/null | wc -l; echo "<<end>>"
ADHESIVE_RUNS_FOLDER=$dir/full/runs ADHESIVE_TEMP_FOLDER=$dir/full/runs "$NODE" "$BIN" ${fixture("cli/pipeline.ts")} >/dev/null 2>&1
mount -o remount,ro $dir/full
echo "<<clean>>"; ADHESIVE_RUNS_FOLDER=$dir/full/runs ADHESIVE_TEMP_FOLDER=$dir/full/runs "$NODE" "$BIN" clean 2>&1 || echo "exit $?"; echo "<<end>>"
`);
    expect(between(stdout, "runs")).toMatch(/^error: cannot create the run's folder .*\/ro\/runs\/[0-9a-f-]{36}\/logs: the file system is read-only \(EROFS\)\nexit 2\n$/);
    expect(between(stdout, "temp")).toMatch(/^error: cannot create the run's workspace .*\/ro\/temp\/[0-9a-f-]{36}: the file system is read-only \(EROFS\)\nexit 2\n$/);
    // a run that could not have a workspace never started: it left no run behind
    expect(between(stdout, "left").trim()).toBe("0");
    expect(between(stdout, "clean")).toMatch(/^error: cannot remove .*\/full\/runs\/[0-9a-f-]{36}: the file system is read-only \(EROFS\)\nexit 2\n$/);
  });

  it("full before the run: exit 2 naming the journal and saying the disk is full, and no half-made run is left", () => {
    const { stdout } = inNamespace(`${mounts("64k")}
mkdir -p $dir/full/runs
dd if=/dev/zero of=$dir/full/filler bs=4k count=64 2>/dev/null || true
echo "<<run>>"; ADHESIVE_RUNS_FOLDER=$dir/full/runs ADHESIVE_TEMP_FOLDER=$dir/temp "$NODE" "$BIN" ${fixture("cli/pipeline.ts")} 2>&1 || echo "exit $?"; echo "<<end>>"
echo "<<left>>"; ls $dir/full/runs | wc -l; echo "<<end>>"
`);
    expect(between(stdout, "run")).toMatch(/^error: cannot (create the run's folder|claim the run in|write the journal|write the run's summary) .*\/full\/runs\/[0-9a-f-]{36}\S*: the disk is full \(ENOSPC: no space left on the device\)\nexit 2\n$/);
    expect(between(stdout, "left").trim()).toBe("0");
  });

  it("full during the run: the run stops at the record it cannot write, naming the journal; once there is room it resumes", () => {
    const { stdout } = inNamespace(`${mounts("256k")}
export ADHESIVE_RUNS_FOLDER=$dir/full/runs ADHESIVE_TEMP_FOLDER=$dir/full/temp FILL=$dir/full/filler
echo "<<run>>"; "$NODE" "$BIN" ${fixture("runs/fill-disk.ts")} 2>&1 >/dev/null || echo "exit $?"; echo "<<end>>"
rm $dir/full/filler
echo "<<runs>>"; "$NODE" "$BIN" runs 2>&1; echo "<<end>>"
echo "<<resume>>"; "$NODE" "$BIN" resume 2>&1 >/dev/null || echo "exit $?"; echo "<<end>>"
echo "<<after>>"; "$NODE" "$BIN" runs 2>&1; echo "<<end>>"
`);
    expect(between(stdout, "run")).toMatch(/^error: .*\/full\/runs\/[0-9a-f-]{36}\/journal\.ndjson: cannot write the journal: the disk is full \(ENOSPC: no space left on the device\); the run stops, since what it did next could not be rebuilt\nexit 2\n$/);
    expect(between(stdout, "runs")).toMatch(/ interrupted .* in flight/);
    expect(between(stdout, "resume")).toBe("");
    expect(between(stdout, "after")).toMatch(/ done .* 3 done, 0 failed/);
  });
});
