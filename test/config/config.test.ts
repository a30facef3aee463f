import { fileURLToPath } from "node:url";
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConfigError, loadConfig, type Config } from "../../src/config/load.js";
import { AdhesiveError } from "../../src/errors.js";
import * as api from "../../src/index.js";
import { escapeRegExp } from "../../src/escape-regexp.js";

let root: string;
let cwd: string;
let home: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "adhesive-config-"));
  cwd = join(root, "project");
  home = join(root, "home");
  await mkdir(cwd);
  await mkdir(home);
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(root, { recursive: true, force: true });
});

/** Writes `<folder>/.adhesive/config.yml` and returns its path. */
async function writeConfig(folder: string, text: string): Promise<string> {
  await mkdir(join(folder, ".adhesive"), { recursive: true });
  const file = join(folder, ".adhesive", "config.yml");
  await writeFile(file, text);
  return file;
}

async function folder(...parts: string[]): Promise<string> {
  const path = join(root, ...parts);
  await mkdir(path, { recursive: true });
  return path;
}

function load(env: Record<string, string> = {}): Promise<Config> {
  return loadConfig({ cwd, home, env });
}

async function configError(env: Record<string, string> = {}): Promise<ConfigError> {
  const error = await load(env).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

/** The single problem's message, checking there is exactly one. */
/** Config.sources when every key comes from `source`, with `overrides` for some */
function sourcesAll(source: string, overrides: Partial<Config["sources"]> = {}): Config["sources"] {
  const fields = ["tempFolder", "plugins", "color", "logLevel", "taskLineRate", "poolSize", "stdout", "parallelProcessing", "taskLimit", "keepRuns", "runsFolder", "journal", "journalFsync", "uiPort", "store", "pools", "workerConcurrency", "lockDurationMs", "stalledIntervalMs", "leaseTtlMs", "keepResultsS", "scheduleToStartMs"] as const;
  return { ...Object.fromEntries(fields.map((field) => [field, source])), ...overrides } as Config["sources"];
}

async function onlyProblem(env: Record<string, string> = {}): Promise<string> {
  const error = await configError(env);
  expect(error.problems.map((problem) => problem.message)).toHaveLength(1);
  expect(error.message).toBe(error.problems[0].message);
  return error.message;
}

/** The one problem loadConfig reports, from a child process that runs as nobody when the test runs as root. */
function problemWithoutOverride(): Promise<string> {
  const script = `
    const { loadConfig } = await import(${JSON.stringify(new URL("../../src/config/load.ts", import.meta.url).href)});
    await loadConfig({ cwd: ${JSON.stringify(cwd)}, home: ${JSON.stringify(home)}, env: {} }).then(
      () => console.log("loaded"),
      (error) => console.log(error.problems.map((problem) => problem.message).join("\\n")),
    );`;
  const node = [process.execPath, "--import", "tsx", "--input-type=module", "-e", script];
  // root reads any file: as root (as in CI) the loader runs without the capabilities that override file modes (util-linux setpriv),
  // not as another user, who could not read a clone in a private folder (mktemp -d)
  const command = process.getuid?.() === 0 ? ["setpriv", "--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search", "--", ...node] : node;
  return new Promise((resolve, reject) =>
    execFile(command[0]!, command.slice(1), { cwd: fileURLToPath(new URL("../..", import.meta.url)), timeout: 120_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout.trim()),
    ),
  );
}

describe("defaults", () => {
  it("uses the defaults when there is no file and no variable", async () => {
    const config = await load();
    expect(config).toEqual({
      tempFolder: join(tmpdir(), "adhesive"),
      plugins: [],
      color: undefined,
      logLevel: "info",
      taskLineRate: 100,
      poolSize: Math.max(32, availableParallelism()),
      stdout: false,
      parallelProcessing: "async",
      taskLimit: undefined,
      keepRuns: 20,
      runsFolder: join(cwd, ".adhesive", "runs"),
      journal: true,
      journalFsync: false,
      uiPort: undefined,
      store: undefined,
      pools: [],
      workerConcurrency: Math.max(32, availableParallelism()),
      lockDurationMs: 10_000,
      stalledIntervalMs: 5000,
      leaseTtlMs: 10_000,
      keepResultsS: 86_400,
      scheduleToStartMs: undefined,
      sources: sourcesAll("default"),
    });
  });

  it("reads process.env when no env is given", async () => {
    vi.stubEnv("ADHESIVE_POOL_SIZE", "7");
    const config = await loadConfig({ cwd, home });
    expect(config.poolSize).toBe(7);
    expect(config.sources.poolSize).toBe("ADHESIVE_POOL_SIZE");
  });

  it("treats an empty file and a file of comments as setting nothing", async () => {
    await writeConfig(cwd, "");
    await writeConfig(home, "# pool_size: 3\n");
    const config = await load();
    expect(config.poolSize).toBe(Math.max(32, availableParallelism()));
    expect(config.sources.poolSize).toBe("default");
  });

  it("defaults pool_size to the CPU count for worker threads", async () => {
    await writeConfig(cwd, "parallel_processing: worker\n");
    const config = await load();
    expect(config.poolSize).toBe(availableParallelism());
    expect(config.sources.poolSize).toBe("default");
  });

  it("ignores a .adhesive that is a file rather than a folder", async () => {
    await writeFile(join(cwd, ".adhesive"), "not a folder");
    expect((await load()).sources.poolSize).toBe("default");
  });
});

describe("each source on its own", () => {
  it("reads every key from the project file", async () => {
    const plugin = await folder("project", "plugins", "one");
    const file = await writeConfig(
      cwd,
      [
        "temp_folder: /var/tmp/adhesive-runs",
        `plugins: [${plugin}]`,
        "color: true",
        "log_level: debug",
        "task_line_rate: 0",
        "pool_size: 3",
        "stdout: true",
        "parallel_processing: worker",
        "task_limit: 5000",
        "keep_runs: 3",
        "runs_folder: /var/lib/adhesive-runs",
        "journal: false",
        "journal_fsync: true",
        "ui_port: 8321",
        "store: redis://redis.internal:6380/2",
        "pools:",
        '  "GPU.*": gpu',
        "  Build: build-pool",
        "worker_concurrency: 6",
        "lock_duration_ms: 2000",
        "stalled_interval_ms: 1000",
        "lease_ttl_ms: 3000",
        "keep_results_s: 600",
        "schedule_to_start_ms: 30000",
      ].join("\n"),
    );
    const config = await load();
    expect(config).toEqual({
      tempFolder: "/var/tmp/adhesive-runs",
      plugins: [plugin],
      color: true,
      logLevel: "debug",
      taskLineRate: 0,
      poolSize: 3,
      stdout: true,
      parallelProcessing: "worker",
      taskLimit: 5000,
      keepRuns: 3,
      runsFolder: "/var/lib/adhesive-runs",
      journal: false,
      journalFsync: true,
      uiPort: 8321,
      store: "redis://redis.internal:6380/2",
      pools: [
        { lane: "GPU.*", pool: "gpu" },
        { lane: "Build", pool: "build-pool" },
      ],
      workerConcurrency: 6,
      lockDurationMs: 2000,
      stalledIntervalMs: 1000,
      leaseTtlMs: 3000,
      keepResultsS: 600,
      scheduleToStartMs: 30000,
      sources: sourcesAll(file),
    });
  });

  it("reads every key from the home file", async () => {
    const plugin = await folder("home", "plugins");
    const file = await writeConfig(
      home,
      [
        "temp_folder: /srv/adhesive",
        "plugins:",
        `  - ${plugin}`,
        "color: false",
        "log_level: critical",
        "task_line_rate: 500",
        "pool_size: 12",
        "stdout: false",
        "parallel_processing: async",
        "task_limit: 10",
        "keep_runs: 0",
        "runs_folder: /srv/runs",
        "journal: true",
        "journal_fsync: false",
        "ui_port: 9000",
        "store: redis://127.0.0.1",
        "pools: {}",
        "worker_concurrency: 1",
        "lock_duration_ms: 30000",
        "stalled_interval_ms: 15000",
        "lease_ttl_ms: 20000",
        "keep_results_s: 1",
        "schedule_to_start_ms: 1",
      ].join("\n"),
    );
    const config = await load();
    expect(config.tempFolder).toBe("/srv/adhesive");
    expect(config.plugins).toEqual([plugin]);
    expect(config.color).toBe(false);
    expect(config.logLevel).toBe("critical");
    expect(config.taskLineRate).toBe(500);
    expect(config.poolSize).toBe(12);
    expect(config.stdout).toBe(false);
    expect(config.parallelProcessing).toBe("async");
    expect(config.taskLimit).toBe(10);
    expect(config.keepRuns).toBe(0);
    expect(config.runsFolder).toBe("/srv/runs");
    expect(config.store).toBe("redis://127.0.0.1");
    expect(config.pools).toEqual([]);
    expect([config.workerConcurrency, config.lockDurationMs, config.stalledIntervalMs, config.leaseTtlMs, config.keepResultsS, config.scheduleToStartMs]).toEqual([1, 30000, 15000, 20000, 1, 1]);
    expect(Object.values(config.sources)).toEqual(Array(22).fill(file));
    expect(config.uiPort).toBe(9000);
  });

  it("reads every key from the environment, coercing the strings", async () => {
    const first = await folder("env-plugins", "a");
    const second = await folder("env-plugins", "b");
    const config = await load({
      ADHESIVE_TEMP_FOLDER: "/opt/runs",
      ADHESIVE_PLUGINS: [first, second].join(delimiter),
      ADHESIVE_COLOR: "no",
      ADHESIVE_LOG_LEVEL: "WARNING",
      ADHESIVE_TASK_LINE_RATE: "25",
      ADHESIVE_POOL_SIZE: "4",
      ADHESIVE_STDOUT: "true",
      ADHESIVE_PARALLEL_PROCESSING: "Worker",
      ADHESIVE_TASK_LIMIT: "100",
      ADHESIVE_KEEP_RUNS: "7",
      ADHESIVE_RUNS_FOLDER: "/opt/journals",
      ADHESIVE_JOURNAL: "false",
      ADHESIVE_JOURNAL_FSYNC: "yes",
      ADHESIVE_UI_PORT: "8080",
      ADHESIVE_STORE: "redis://10.0.0.9/1",
      ADHESIVE_POOLS: '{"GPU.*": "gpu"}',
      ADHESIVE_WORKER_CONCURRENCY: "3",
      ADHESIVE_LOCK_DURATION_MS: "2000",
      ADHESIVE_STALLED_INTERVAL_MS: "1000",
      ADHESIVE_LEASE_TTL_MS: "3000",
      ADHESIVE_KEEP_RESULTS_S: "60",
      ADHESIVE_SCHEDULE_TO_START_MS: "5000",
    });
    expect(config).toEqual({
      tempFolder: "/opt/runs",
      plugins: [first, second],
      color: false,
      logLevel: "warning",
      taskLineRate: 25,
      poolSize: 4,
      stdout: true,
      parallelProcessing: "worker",
      taskLimit: 100,
      keepRuns: 7,
      runsFolder: "/opt/journals",
      journal: false,
      journalFsync: true,
      uiPort: 8080,
      store: "redis://10.0.0.9/1",
      pools: [{ lane: "GPU.*", pool: "gpu" }],
      workerConcurrency: 3,
      lockDurationMs: 2000,
      stalledIntervalMs: 1000,
      leaseTtlMs: 3000,
      keepResultsS: 60,
      scheduleToStartMs: 5000,
      sources: {
        tempFolder: "ADHESIVE_TEMP_FOLDER",
        plugins: "ADHESIVE_PLUGINS",
        color: "ADHESIVE_COLOR",
        logLevel: "ADHESIVE_LOG_LEVEL",
        taskLineRate: "ADHESIVE_TASK_LINE_RATE",
        poolSize: "ADHESIVE_POOL_SIZE",
        stdout: "ADHESIVE_STDOUT",
        parallelProcessing: "ADHESIVE_PARALLEL_PROCESSING",
        taskLimit: "ADHESIVE_TASK_LIMIT",
        keepRuns: "ADHESIVE_KEEP_RUNS",
        runsFolder: "ADHESIVE_RUNS_FOLDER",
        journal: "ADHESIVE_JOURNAL",
        journalFsync: "ADHESIVE_JOURNAL_FSYNC",
        uiPort: "ADHESIVE_UI_PORT",
        store: "ADHESIVE_STORE",
        pools: "ADHESIVE_POOLS",
        workerConcurrency: "ADHESIVE_WORKER_CONCURRENCY",
        lockDurationMs: "ADHESIVE_LOCK_DURATION_MS",
        stalledIntervalMs: "ADHESIVE_STALLED_INTERVAL_MS",
        leaseTtlMs: "ADHESIVE_LEASE_TTL_MS",
        keepResultsS: "ADHESIVE_KEEP_RESULTS_S",
        scheduleToStartMs: "ADHESIVE_SCHEDULE_TO_START_MS",
      },
    });
  });

  it.each([
    ["true", true],
    ["TRUE", true],
    ["1", true],
    ["yes", true],
    ["Yes", true],
    ["false", false],
    ["0", false],
    ["no", false],
    ["NO", false],
  ])("reads ADHESIVE_STDOUT=%s as %s", async (text, expected) => {
    expect((await load({ ADHESIVE_STDOUT: text })).stdout).toBe(expected);
  });

  it("skips empty and blank entries of ADHESIVE_PLUGINS", async () => {
    const plugin = await folder("p");
    const config = await load({ ADHESIVE_PLUGINS: `${delimiter}${plugin}${delimiter}${delimiter} ${delimiter}` });
    expect(config.plugins).toEqual([plugin]);
  });

  it("counts an empty variable as unset, so the files still apply", async () => {
    const file = await writeConfig(cwd, "pool_size: 2\n");
    const config = await load({ ADHESIVE_POOL_SIZE: "", ADHESIVE_BOGUS: "" });
    expect(config.poolSize).toBe(2);
    expect(config.sources.poolSize).toBe(file);
  });

  it("accepts auto for color, meaning decide by the terminal, and records who said so", async () => {
    await writeConfig(home, "color: false\n");
    const file = await writeConfig(cwd, "color: auto\n");
    const config = await load();
    expect(config.color).toBeUndefined();
    expect(config.sources.color).toBe(file);
    expect((await load({ ADHESIVE_COLOR: "AUTO" })).sources.color).toBe("ADHESIVE_COLOR");
  });

  it("lists each plugin folder once, in the order given", async () => {
    const a = await folder("a");
    const b = await folder("b");
    await writeConfig(cwd, `plugins: [${a}, ${b}, ${a}/]\n`);
    expect((await load()).plugins).toEqual([a, b]);
  });
});

describe("precedence, key by key", () => {
  interface Case {
    key: string;
    field: keyof Omit<Config, "sources">;
    /** YAML value in the home file, the project file, and the variable's text */
    values: (dirs: string[]) => [string, string, string];
    /** expected field value from home, project, env */
    expected: (dirs: string[]) => [unknown, unknown, unknown];
  }
  const cases: Case[] = [
    { key: "temp_folder", field: "tempFolder", values: (d) => [d[0], d[1], d[2]], expected: (d) => [d[0], d[1], d[2]] },
    { key: "plugins", field: "plugins", values: (d) => [`[${d[0]}]`, `[${d[1]}]`, d[2]], expected: (d) => [[d[0]], [d[1]], [d[2]]] },
    { key: "color", field: "color", values: () => ["true", "false", "yes"], expected: () => [true, false, true] },
    { key: "log_level", field: "logLevel", values: () => ["trace", "error", "debug"], expected: () => ["trace", "error", "debug"] },
    { key: "pool_size", field: "poolSize", values: () => ["1", "2", "3"], expected: () => [1, 2, 3] },
    { key: "stdout", field: "stdout", values: () => ["true", "false", "1"], expected: () => [true, false, true] },
    { key: "parallel_processing", field: "parallelProcessing", values: () => ["worker", "async", "worker"], expected: () => ["worker", "async", "worker"] },
    { key: "keep_runs", field: "keepRuns", values: () => ["0", "5", "100"], expected: () => [0, 5, 100] },
    { key: "task_line_rate", field: "taskLineRate", values: () => ["0", "50", "1000"], expected: () => [0, 50, 1000] },
  ];

  it.each(cases)("$key: env over project over home", async ({ key, field, values, expected }) => {
    const dirs = [await folder("d-home"), await folder("d-project"), await folder("d-env")];
    const [homeValue, projectValue, envValue] = values(dirs);
    const [fromHome, fromProject, fromEnv] = expected(dirs);
    const homeFile = await writeConfig(home, `${key}: ${homeValue}\n`);
    const env = { [`ADHESIVE_${key.toUpperCase()}`]: envValue };

    let config = await load();
    expect(config[field]).toEqual(fromHome);
    expect(config.sources[field]).toBe(homeFile);

    const projectFile = await writeConfig(cwd, `${key}: ${projectValue}\n`);
    config = await load();
    expect(config[field]).toEqual(fromProject);
    expect(config.sources[field]).toBe(projectFile);

    config = await load(env);
    expect(config[field]).toEqual(fromEnv);
    expect(config.sources[field]).toBe(`ADHESIVE_${key.toUpperCase()}`);
  });

  it("takes each key from the highest layer that sets it, independently of the others", async () => {
    const homeFile = await writeConfig(home, "pool_size: 9\nlog_level: error\nstdout: true\n");
    const projectFile = await writeConfig(cwd, "log_level: debug\ncolor: true\n");
    const config = await load({ ADHESIVE_POOL_SIZE: "5" });
    expect(config.poolSize).toBe(5);
    expect(config.logLevel).toBe("debug");
    expect(config.stdout).toBe(true);
    expect(config.color).toBe(true);
    expect(config.parallelProcessing).toBe("async");
    expect(config.sources).toEqual(sourcesAll("default", { color: projectFile, logLevel: projectFile, poolSize: "ADHESIVE_POOL_SIZE", stdout: homeFile }));
  });

  it("does not merge plugin lists: the higher layer replaces the lower one", async () => {
    const a = await folder("a");
    const b = await folder("b");
    await writeConfig(home, `plugins: [${a}]\n`);
    await writeConfig(cwd, `plugins: [${b}]\n`);
    expect((await load()).plugins).toEqual([b]);
  });

  it("reads the file once when the project folder is the home folder", async () => {
    const file = await writeConfig(home, "pool_size: 6\nbogus: 1\n");
    cwd = home;
    const error = await configError();
    expect(error.problems).toHaveLength(1);
    await writeConfig(home, "pool_size: 6\n");
    const config = await load();
    expect(config.poolSize).toBe(6);
    expect(config.sources.poolSize).toBe(file);
  });
});

describe("paths", () => {
  it("expands ~ and ~/ to the home folder, in files and variables", async () => {
    await folder("home", "my-plugins");
    await writeConfig(cwd, 'temp_folder: ~/runs\nplugins: [~/my-plugins, "~"]\n');
    let config = await load();
    expect(config.tempFolder).toBe(join(home, "runs"));
    expect(config.plugins).toEqual([join(home, "my-plugins"), home]);
    config = await load({ ADHESIVE_TEMP_FOLDER: "~", ADHESIVE_PLUGINS: "~/my-plugins" });
    expect(config.tempFolder).toBe(home);
    expect(config.plugins).toEqual([join(home, "my-plugins")]);
  });

  it("explains that a bare ~ in YAML is empty, not the home folder", async () => {
    const file = await writeConfig(cwd, "temp_folder: ~\nplugins: [~]\n");
    const hint = ' (a bare ~ means "empty" in YAML; write "~" in quotes for the home folder)';
    expect((await configError()).problems.map((problem) => problem.message)).toEqual([
      `${file}: temp_folder must be a folder path, got an empty value${hint}`,
      `${file}: plugins[0] must be an existing folder, got an empty value${hint}`,
    ]);
  });

  it("does not expand ~user or a ~ inside a path", async () => {
    await writeConfig(cwd, "temp_folder: ~other/runs\n");
    expect((await load()).tempFolder).toBe(join(cwd, ".adhesive", "~other", "runs"));
    expect((await load({ ADHESIVE_TEMP_FOLDER: "a/~/b" })).tempFolder).toBe(join(cwd, "a", "~", "b"));
  });

  it("resolves relative paths against the folder of the file that holds them", async () => {
    const projectPlugins = await folder("project", "plugins");
    const homePlugins = await folder("home", ".adhesive", "plugins");
    await writeConfig(cwd, "temp_folder: runs\nplugins: [../plugins]\n");
    let config = await load();
    expect(config.tempFolder).toBe(join(cwd, ".adhesive", "runs"));
    expect(config.plugins).toEqual([projectPlugins]);

    await rm(join(cwd, ".adhesive"), { recursive: true });
    await writeConfig(home, "temp_folder: ./runs\nplugins: [plugins]\n");
    config = await load();
    expect(config.tempFolder).toBe(join(home, ".adhesive", "runs"));
    expect(config.plugins).toEqual([homePlugins]);
  });

  it("resolves relative paths from variables against the working directory", async () => {
    const plugins = await folder("project", "lib");
    const config = await load({ ADHESIVE_TEMP_FOLDER: "out/tmp", ADHESIVE_PLUGINS: "lib" });
    expect(config.tempFolder).toBe(join(cwd, "out", "tmp"));
    expect(config.plugins).toEqual([plugins]);
  });

  it("accepts a temp_folder that does not exist yet, without creating it", async () => {
    await writeConfig(cwd, "temp_folder: later\n");
    expect((await load()).tempFolder).toBe(join(cwd, ".adhesive", "later"));
    expect(await readdir(join(cwd, ".adhesive"))).toEqual(["config.yml"]);
  });

  it("rejects a plugin folder that does not exist, showing what the path resolved to", async () => {
    const file = await writeConfig(cwd, "plugins: [../missing]\n");
    expect(await onlyProblem()).toBe(
      `${file}: plugins[0] must be an existing folder, got "../missing" (resolved to ${join(cwd, "missing")}, which does not exist)`,
    );
  });

  it("rejects a missing plugin folder given by absolute path or variable", async () => {
    const missing = join(root, "nowhere");
    expect(await onlyProblem({ ADHESIVE_PLUGINS: missing })).toBe(
      `environment variable ADHESIVE_PLUGINS: plugins[0] must be an existing folder, got "${missing}" (it does not exist)`,
    );
  });

  it("rejects a plugin that is a file, and a temp_folder that is a file", async () => {
    await writeFile(join(cwd, "plain.txt"), "x");
    const file = await writeConfig(cwd, "temp_folder: ../plain.txt\nplugins: [../plain.txt]\n");
    const error = await configError();
    expect(error.problems.map((problem) => problem.message)).toEqual([
      `${file}: temp_folder must be a folder path, got "../plain.txt" (resolved to ${join(cwd, "plain.txt")}, which is not a folder)`,
      `${file}: plugins[0] must be an existing folder, got "../plain.txt" (resolved to ${join(cwd, "plain.txt")}, which is not a folder)`,
    ]);
  });
});

describe("errors", () => {
  it("is one ConfigError, an AdhesiveError with code ADHESIVE_CONFIG", async () => {
    await writeConfig(cwd, "pool_size: lots\n");
    const error = await configError();
    expect(error).toBeInstanceOf(AdhesiveError);
    expect(error.code).toBe("ADHESIVE_CONFIG");
    expect(error.name).toBe("ConfigError");
  });

  it("names the file, the key and what is expected for a wrong value", async () => {
    const file = await writeConfig(cwd, "pool_size: lots\n");
    expect(await onlyProblem()).toBe(`${file}: pool_size must be a positive whole number, got "lots"`);
    const error = await configError();
    expect(error.problems).toEqual([{ source: file, key: "pool_size", message: error.message }]);
  });

  it.each([
    ["pool_size: 0", "pool_size must be a positive whole number, got 0"],
    ["ui_port: 70000", "ui_port must be a port number from 1 to 65535 (the live view of --ui), got 70000"],
    ["pool_size: -2", "pool_size must be a positive whole number, got -2"],
    ["pool_size: 2.5", "pool_size must be a positive whole number, got 2.5"],
    ["pool_size: .inf", "pool_size must be a positive whole number, got Infinity"],
    ['pool_size: "4"', 'pool_size must be a positive whole number, got "4"'],
    ["pool_size: [1]", "pool_size must be a positive whole number, got a list"],
    ["pool_size:", "pool_size must be a positive whole number, got an empty value"],
    ["keep_runs: -1", "keep_runs must be a whole number, 0 or more, got -1"],
    ["keep_runs: all", 'keep_runs must be a whole number, 0 or more, got "all"'],
    ["task_line_rate: -5", "task_line_rate must be a whole number, 0 or more (task lines a second), got -5"],
    ["stdout: yes", 'stdout must be true or false, got "yes"'],
    ["stdout: 1", "stdout must be true or false, got 1"],
    ["color: sometimes", 'color must be true, false or auto, got "sometimes"'],
    ["color: {a: 1}", "color must be true, false or auto, got a mapping"],
    ["log_level: verbose", 'log_level must be one of trace, debug, info, warning, error, critical, got "verbose"'],
    ["log_level: warn", 'log_level must be one of trace, debug, info, warning, error, critical, got "warn"'],
    ["parallel_processing: threads", 'parallel_processing must be "async" or "worker", got "threads"'],
    ["temp_folder: 5", "temp_folder must be a folder path, got 5"],
    ['temp_folder: "  "', 'temp_folder must be a folder path, got "  "'],
    ["plugins: some/folder", 'plugins must be a list of folder paths, got "some/folder"'],
    ["plugins: [1]", "plugins[0] must be an existing folder, got 1"],
    ['plugins: [""]', 'plugins[0] must be an existing folder, got ""'],
  ])("rejects `%s` in a file", async (line, expected) => {
    const file = await writeConfig(home, `${line}\n`);
    expect(await onlyProblem()).toBe(`${file}: ${expected}`);
  });

  it.each([
    ["ADHESIVE_POOL_SIZE", "lots", 'pool_size must be a positive whole number, got "lots"'],
    ["ADHESIVE_POOL_SIZE", "2.5", 'pool_size must be a positive whole number, got "2.5"'],
    ["ADHESIVE_POOL_SIZE", "0", "pool_size must be a positive whole number, got 0"],
    ["ADHESIVE_STDOUT", "maybe", 'stdout must be true or false (or 1/0, yes/no), got "maybe"'],
    ["ADHESIVE_COLOR", "on", 'color must be true, false or auto (or 1/0, yes/no), got "on"'],
    ["ADHESIVE_LOG_LEVEL", "loud", 'log_level must be one of trace, debug, info, warning, error, critical, got "loud"'],
    ["ADHESIVE_PARALLEL_PROCESSING", "fork", 'parallel_processing must be "async" or "worker", got "fork"'],
    ["ADHESIVE_TEMP_FOLDER", "   ", 'temp_folder must be a folder path, got "   "'],
  ])("rejects %s=%s naming the variable and the key", async (name, value, expected) => {
    expect(await onlyProblem({ [name]: value })).toBe(`environment variable ${name}: ${expected}`);
  });

  it("rejects an unknown key, suggesting the likely one and listing the known keys", async () => {
    const file = await writeConfig(cwd, "poolSize: 4\n");
    expect(await onlyProblem()).toBe(
      `${file}: unknown key "poolSize" (did you mean pool_size?); known keys: temp_folder, plugins, color, log_level, task_line_rate, pool_size, stdout, parallel_processing, task_limit, keep_runs, runs_folder, journal, journal_fsync, ui_port, store, pools, worker_concurrency, lock_duration_ms, stalled_interval_ms, lease_ttl_ms, keep_results_s, schedule_to_start_ms`,
    );
  });

  it("rejects an unknown key with no likely match without a suggestion", async () => {
    const file = await writeConfig(cwd, "favourite_colour: blue\n");
    const message = await onlyProblem();
    expect(message).toMatch(new RegExp(`^${escapeRegExp(file)}: unknown key "favourite_colour"; known keys: `));
  });

  it("rejects an unknown ADHESIVE_ variable, and one whose key is not upper case", async () => {
    const error = await configError({ ADHESIVE_POOLSIZE: "4", ADHESIVE_log_level: "debug" });
    expect(error.problems.map((problem) => problem.message)).toEqual([
      expect.stringMatching(/^environment variable ADHESIVE_POOLSIZE: not a configuration key \(did you mean ADHESIVE_POOL_SIZE\?\); known variables: ADHESIVE_TEMP_FOLDER, /),
      expect.stringMatching(/^environment variable ADHESIVE_log_level: not a configuration key \(did you mean ADHESIVE_LOG_LEVEL\?\)/),
    ]);
    expect(error.problems.map((problem) => problem.source)).toEqual(["ADHESIVE_POOLSIZE", "ADHESIVE_log_level"]);
  });

  it("ignores variables without the ADHESIVE_ prefix", async () => {
    expect((await load({ POOL_SIZE: "x", ADHESIVEPOOL_SIZE: "x", adhesive_pool_size: "x" })).sources.poolSize).toBe("default");
  });

  it("reports invalid YAML with the file, line and column, without the library's code frame", async () => {
    const file = await writeConfig(cwd, "pool_size: 4\nplugins: [a, b\nstdout: true\n");
    const message = await onlyProblem();
    expect(message).toMatch(new RegExp(`^${escapeRegExp(file)}:3:1: invalid YAML: \\S.*$`));
  });

  it("reports a key given twice", async () => {
    const file = await writeConfig(cwd, "pool_size: 1\npool_size: 2\n");
    expect(await onlyProblem()).toBe(`${file}:2:1: invalid YAML: Map keys must be unique`);
  });

  it("reports a file holding several YAML documents", async () => {
    const file = await writeConfig(cwd, "pool_size: 1\n---\nstdout: true\n");
    expect(await onlyProblem()).toBe(`${file}:2:1: invalid YAML: the file holds more than one YAML document (a second ---)`);
  });

  it("reports an alias to an anchor that does not exist", async () => {
    const file = await writeConfig(cwd, "pool_size: *size\n");
    expect(await onlyProblem()).toMatch(new RegExp(`^${escapeRegExp(file)}: invalid YAML: Unresolved alias`));
  });

  it.each([
    ["- pool_size: 4\n", "a list"],
    ["just words\n", '"just words"'],
    ["42\n", "42"],
  ])("rejects a file whose top level is not a mapping: %j", async (text, got) => {
    const file = await writeConfig(home, text);
    expect(await onlyProblem()).toBe(`${file}: the file must be a mapping of keys to values (like "pool_size: 4"), got ${got}`);
  });

  it("reports a config path that is a folder as unreadable", async () => {
    const file = await folder("project", ".adhesive", "config.yml");
    expect(await onlyProblem()).toBe(`${file}: cannot read the config file: it is a folder`);
  });

  it("reports a config file without read permission", async () => {
    const file = await writeConfig(cwd, "pool_size: 2\n");
    await chmod(file, 0o000);
    // root reads any file: as root (as in CI), the loader runs without the capabilities that override the mode (problemWithoutOverride)
    expect(await problemWithoutOverride()).toBe(`${file}: cannot read the config file: permission denied`);
  });

  it("validates a layer even where a higher one overrides it", async () => {
    const file = await writeConfig(home, "pool_size: lots\n");
    expect(await onlyProblem({ ADHESIVE_POOL_SIZE: "2" })).toBe(`${file}: pool_size must be a positive whole number, got "lots"`);
  });

  it("lists every problem of every source at once, in priority then key order", async () => {
    const projectFile = await writeConfig(cwd, "stdout: maybe\npool_size: 0\nbogus: 1\nplugins: [../a, ../b]\n");
    const homeFile = await writeConfig(home, "- not a mapping\n");
    const error = await configError({ ADHESIVE_LOG_LEVEL: "chatty" });
    const messages = error.problems.map((problem) => problem.message);
    expect(messages).toEqual([
      'environment variable ADHESIVE_LOG_LEVEL: log_level must be one of trace, debug, info, warning, error, critical, got "chatty"',
      expect.stringMatching(new RegExp(`^${escapeRegExp(projectFile)}: unknown key "bogus"`)),
      `${projectFile}: plugins[0] must be an existing folder, got "../a" (resolved to ${join(cwd, "a")}, which does not exist)`,
      `${projectFile}: plugins[1] must be an existing folder, got "../b" (resolved to ${join(cwd, "b")}, which does not exist)`,
      `${projectFile}: pool_size must be a positive whole number, got 0`,
      `${projectFile}: stdout must be true or false, got "maybe"`,
      `${homeFile}: the file must be a mapping of keys to values (like "pool_size: 4"), got a list`,
    ]);
    expect(error.message).toBe(`7 problems in the adhesive configuration:\n${messages.map((m) => `  - ${m}`).join("\n")}`);
    expect(error.problems.map((problem) => [problem.source, problem.key])).toEqual([
      ["ADHESIVE_LOG_LEVEL", "log_level"],
      [projectFile, "bogus"],
      [projectFile, "plugins"],
      [projectFile, "plugins"],
      [projectFile, "pool_size"],
      [projectFile, "stdout"],
      [homeFile, undefined],
    ]);
  });

  it("rejects a store that is no Redis URL, saying why, with its password masked", async () => {
    const file = await writeConfig(cwd, "store: postgres://admin:hunter22@db/adhesive\n");
    expect(await onlyProblem()).toBe(
      `${file}: store must be a Redis URL, redis://host[:port][/db], got "postgres://admin:***@db/adhesive" (it has the scheme postgres, not redis or rediss (only Redis stores are supported))`,
    );
    await rm(join(cwd, ".adhesive"), { recursive: true });
    expect(await onlyProblem({ ADHESIVE_STORE: "redis://cache/zero" })).toBe(
      'environment variable ADHESIVE_STORE: store must be a Redis URL, redis://host[:port][/db], got "redis://cache/zero" (it has the path "/zero", which is not a database number (/0, /1, ...))',
    );
  });

  it("rejects pools whose lane pattern is no regular expression or whose pool name could not name a queue", async () => {
    const file = await writeConfig(cwd, 'pools:\n  "GPU[": gpu\n');
    expect(await onlyProblem()).toMatch(new RegExp(`^${file}: pools must be a mapping of lane patterns to pool names .*, got a mapping \\(it has the lane pattern "GPU\\[", which is not a regular expression \\(`));
    await writeConfig(cwd, "pools:\n  Build: build:linux\n");
    expect(await onlyProblem()).toContain('(it has the pool name "build:linux" for "Build", but a pool name may only hold letters, digits, - and _)');
    await rm(join(cwd, ".adhesive"), { recursive: true });
    expect(await onlyProblem({ ADHESIVE_POOLS: "GPU=gpu" })).toBe(
      'environment variable ADHESIVE_POOLS: pools must be a mapping of lane patterns to pool names (in a variable, as JSON: {"GPU.*": "gpu"}), got "GPU=gpu"',
    );
  });

  it("rejects lock, stall and lease times so short that a pause would pass for a death", async () => {
    const file = await writeConfig(cwd, "lock_duration_ms: 500\nstalled_interval_ms: 10\nlease_ttl_ms: 0\nkeep_results_s: 0\nworker_concurrency: 0\n");
    const error = await configError();
    expect(error.problems.map((problem) => problem.message)).toEqual([
      `${file}: worker_concurrency must be a positive whole number (jobs a worker runs at once), got 0`,
      `${file}: lock_duration_ms must be a whole number of milliseconds, 1000 or more, got 500`,
      `${file}: stalled_interval_ms must be a whole number of milliseconds, 100 or more, got 10`,
      `${file}: lease_ttl_ms must be a whole number of milliseconds, 1000 or more, got 0`,
      `${file}: keep_results_s must be a positive whole number of seconds, got 0`,
    ]);
  });

  it("never shows the validator's own wording or a stack", async () => {
    await writeConfig(cwd, "color: 3\ntemp_folder: [x]\nplugins: {a: 1}\nparallel_processing: 1\n");
    const error = await configError({ ADHESIVE_STDOUT: "sure" });
    expect(error.problems).toHaveLength(5);
    expect(error.message).not.toMatch(/Invalid input|expected \w+, received|ZodError|"code"|\n\s+at /);
  });
});

describe("public API", () => {
  it("exports loadConfig and ConfigError from the package entry", () => {
    expect(api.loadConfig).toBe(loadConfig);
    expect(api.ConfigError).toBe(ConfigError);
  });
});
