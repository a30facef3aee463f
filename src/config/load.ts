import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { z } from "zod";
import { DEFAULT_KEEP_RUNS } from "../runs/keep.js";
import { ConfigError, type ConfigProblem } from "./config-error.js";
import { describeValue } from "./describe.js";
import { readEnvLayer, readFileLayer, unknownFileKeyProblem, type RawLayer } from "./layers.js";
import { CONFIG_KEYS, KEY_SPECS, isConfigKey, layerSchema, type ConfigKey, type LayerValues, type LogLevel, type ParallelProcessing } from "./schema.js";
import { defaultPoolSize } from "../runtime/pool-size.js";

export { ConfigError, type ConfigProblem } from "./config-error.js";
export type { LogLevel, ParallelProcessing } from "./schema.js";

/** The effective configuration: every key has a value, `sources` says where each came from. */
export interface Config {
  /** absolute; run folders are created below it */
  readonly tempFolder: string;
  /** absolute paths of existing folders, in the order given */
  readonly plugins: readonly string[];
  /** undefined: colours exactly when the output is a terminal */
  readonly color: boolean | undefined;
  /** "trace", "debug", "info" (default), "warning", "error" or "critical": from "warning" up the CLI leaves out the task lines; "debug" and "trace" show an unexpected error's whole stack */
  readonly logLevel: LogLevel;
  /** task lines a second printed one by one; above it, a line a second counts the tasks done */
  readonly taskLineRate: number;
  /** tasks running at once */
  readonly poolSize: number;
  /** stream task output live instead of only showing it on failure */
  readonly stdout: boolean;
  /** "async": task functions share the main thread; "worker": they run in worker threads, one per pool slot */
  readonly parallelProcessing: ParallelProcessing;
  /** a run fails once it has started this many tasks; undefined: no limit */
  readonly taskLimit: number | undefined;
  /** finished run folders kept under tempFolder; older ones are removed when a run starts from the CLI */
  readonly keepRuns: number;
  /** where each run's journal and logs go: `.adhesive/runs` of the project by default */
  readonly runsFolder: string;
  /** false: runs keep no journal and cannot be resumed */
  readonly journal: boolean;
  /** fsync the journal after every write */
  readonly journalFsync: boolean;
  /** the port of the live view (--ui); undefined: a free one */
  readonly uiPort: number | undefined;
  /** the Redis URL of the store runs and remote tasks live in (docs/scale-out.md); undefined: runs stay on this host */
  readonly store: string | undefined;
  /** lane patterns (regular expressions matched against the whole lane name) and the pool whose workers run the lane's tasks, first match first */
  readonly pools: ReadonlyArray<{
    /** the lane pattern */
    readonly lane: string;
    /** the pool's name */
    readonly pool: string;
  }>;
  /** jobs an `adhesive worker` runs at once */
  readonly workerConcurrency: number;
  /** how long a worker's lock of a job lasts without renewal: a worker silent for longer has lost its job */
  readonly lockDurationMs: number;
  /** how often workers look for jobs whose lock ran out */
  readonly stalledIntervalMs: number;
  /** how long an orchestrator's lease of a run lasts without renewal: a standby takes the run over after it */
  readonly leaseTtlMs: number;
  /** how long a finished job and its result are kept in the store, for an orchestrator to record it */
  readonly keepResultsS: number;
  /** a job waiting longer than this for a worker of its pool and version is shown as such; undefined: never */
  readonly scheduleToStartMs: number | undefined;
  /** per field: the config file path, the `ADHESIVE_*` variable name, or "default" */
  readonly sources: Readonly<Record<ConfigField, string>>;
}

/** A key of Config, as `sources` names it (`poolSize` for the file's `pool_size`). */
export type ConfigField = Exclude<keyof Config, "sources">;

/** Where loadConfig() looks (each defaults to this process's own). */
export interface LoadConfigOptions {
  /** the project folder; its `.adhesive/config.yml` is read (default: process.cwd()) */
  cwd?: string;
  /** `~` in paths and `~/.adhesive/config.yml` (default: os.homedir()) */
  home?: string;
  /** where `ADHESIVE_*` variables are read (default: process.env) */
  env?: Readonly<Record<string, string | undefined>>;
}

export const DEFAULT_SOURCE = "default";

/* task lines a second are read one by one at most; faster, a line a second with counts says more (src/cli/task-lines.ts) */
export const DEFAULT_TASK_LINE_RATE = 100;

/*
 * Scaling out (docs/scale-out.md). A worker silent for a lock's time has
 * lost its job, found by the next stall check; an orchestrator silent for a
 * lease's time has lost its runs to a standby. Short enough that a dead
 * worker's task restarts within 20 s, long enough that a busy machine's
 * pauses do not pass for deaths. Results are kept a day: the time an
 * orchestrator may be away and still record what finished meanwhile.
 */
export const DEFAULT_LOCK_DURATION_MS = 10_000;
export const DEFAULT_STALLED_INTERVAL_MS = 5000;
export const DEFAULT_LEASE_TTL_MS = 10_000;
export const DEFAULT_KEEP_RESULTS_S = 86_400;

/**
 * Reads the configuration: `ADHESIVE_<KEY>` variables over
 * `<cwd>/.adhesive/config.yml` over `<home>/.adhesive/config.yml`, each key on
 * its own. Every layer is validated in full, even where a higher one overrides
 * it, so a broken file is reported the first time it is read rather than the
 * day the override goes away. Throws one ConfigError listing all problems.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<Config> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const home = resolve(options.home ?? homedir());
  const projectFile = join(cwd, ".adhesive", "config.yml");
  const homeFile = join(home, ".adhesive", "config.yml");
  const reads = [
    readEnvLayer(options.env ?? process.env, cwd),
    await readFileLayer(projectFile),
    // run from the home folder, both paths name one file: read it once, as the project's
    homeFile === projectFile ? { layer: undefined, problems: [] } : await readFileLayer(homeFile),
  ];
  const problems: ConfigProblem[] = [];
  const layers: Array<{ layer: RawLayer; values: LayerValues }> = [];
  for (const read of reads) {
    problems.push(...read.problems);
    // an environment without ADHESIVE_* variables: nothing to validate
    if (read.layer === undefined || Object.keys(read.layer.values).length === 0) continue;
    const checked = await validateLayer(read.layer, home);
    problems.push(...checked.problems);
    if (checked.values) layers.push({ layer: read.layer, values: checked.values });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return assemble(layers, cwd);
}

/* each key's field in Config: the key in camelCase */
const fieldOf = (key: ConfigKey): ConfigField => key.replace(/_(.)/g, (_, letter: string) => letter.toUpperCase()) as ConfigField;

function assemble(layers: ReadonlyArray<{ layer: RawLayer; values: LayerValues }>, cwd: string): Config {
  // the first layer (highest priority) that sets a key wins for that key alone
  const pick = <K extends ConfigKey>(key: K): { value: NonNullable<LayerValues[K]>; source: string } | undefined => {
    for (const { layer, values } of layers) {
      const value = values[key];
      if (value !== undefined && value !== null) return { value, source: layer.source(key) };
    }
    return undefined;
  };
  const value = <K extends ConfigKey>(key: K): NonNullable<LayerValues[K]> | undefined => pick(key)?.value;
  const color = value("color");
  return {
    tempFolder: value("temp_folder") ?? join(tmpdir(), "adhesive"),
    // the same folder twice would only make module lookup slower
    plugins: [...new Set(value("plugins") ?? [])],
    color: color === undefined || color === "auto" ? undefined : color,
    logLevel: value("log_level") ?? "info",
    taskLineRate: value("task_line_rate") ?? DEFAULT_TASK_LINE_RATE,
    poolSize: value("pool_size") ?? defaultPoolSize(value("parallel_processing")),
    stdout: value("stdout") ?? false,
    parallelProcessing: value("parallel_processing") ?? "async",
    taskLimit: value("task_limit"),
    keepRuns: value("keep_runs") ?? DEFAULT_KEEP_RUNS,
    runsFolder: value("runs_folder") ?? join(cwd, ".adhesive", "runs"),
    journal: value("journal") ?? true,
    journalFsync: value("journal_fsync") ?? false,
    uiPort: value("ui_port"),
    store: value("store"),
    pools: Object.entries(value("pools") ?? {}).map(([lane, pool]) => ({ lane, pool })),
    workerConcurrency: value("worker_concurrency") ?? defaultPoolSize("async"),
    lockDurationMs: value("lock_duration_ms") ?? DEFAULT_LOCK_DURATION_MS,
    stalledIntervalMs: value("stalled_interval_ms") ?? DEFAULT_STALLED_INTERVAL_MS,
    leaseTtlMs: value("lease_ttl_ms") ?? DEFAULT_LEASE_TTL_MS,
    keepResultsS: value("keep_results_s") ?? DEFAULT_KEEP_RESULTS_S,
    scheduleToStartMs: value("schedule_to_start_ms"),
    sources: Object.fromEntries(CONFIG_KEYS.map((key) => [fieldOf(key), pick(key)?.source ?? DEFAULT_SOURCE])) as Record<ConfigField, string>,
  };
}

async function validateLayer(layer: RawLayer, home: string): Promise<{ values: LayerValues | undefined; problems: ConfigProblem[] }> {
  const result = await (await layerSchema(layer.base, home)).safeParseAsync(layer.values);
  if (result.success) return { values: result.data, problems: [] };
  const found: Array<{ order: number; problem: ConfigProblem }> = [];
  const seen = new Set<string>();
  for (const issue of result.error.issues) {
    if (issue.code === "unrecognized_keys") {
      // only a file can hold one: unknown variables are rejected while the environment is read
      for (const key of issue.keys) {
        found.push({ order: -1, problem: { source: layer.source(key), key, message: unknownFileKeyProblem(layer.where(key), key) } });
      }
      continue;
    }
    const key = String(issue.path[0]);
    const label = pathLabel(issue.path);
    // a union or a failed refinement can raise several issues for one value; one line per value is enough
    if (seen.has(label)) continue;
    seen.add(label);
    found.push({ order: issueOrder(issue.path), problem: { source: layer.source(key), key, message: valueProblem(layer, issue, label) } });
  }
  // folder checks finish in any order; messages follow the documented key order so runs read the same
  found.sort((a, b) => a.order - b.order);
  return { values: undefined, problems: found.map(({ problem }) => problem) };
}

function valueProblem(layer: RawLayer, issue: z.core.$ZodIssue, label: string): string {
  const key = String(issue.path[0]);
  const spec: { expected: string; expectedItem?: string; env: string; shown?: (value: unknown) => unknown } | undefined = isConfigKey(key) ? KEY_SPECS[key] : undefined;
  let expected = issue.path.length > 1 && spec?.expectedItem ? spec.expectedItem : (spec?.expected ?? "valid");
  if (layer.kind === "env" && spec?.env === "boolean") expected += " (or 1/0, yes/no)";
  const written = valueAt(layer.values, issue.path);
  const value = spec?.shown ? spec.shown(written) : written;
  return `${layer.where(key)}: ${label} must be ${expected}, got ${describeValue(value)}${folderDetail(issue, value)}${tildeHint(layer, key, value)}`;
}

/** YAML reads a bare `~` as null, so `temp_folder: ~` arrives empty; the usual fix is not obvious. */
function tildeHint(layer: RawLayer, key: string, value: unknown): string {
  if (layer.kind !== "file" || value !== null || (key !== "temp_folder" && key !== "plugins")) return "";
  return ' (a bare ~ means "empty" in YAML; write "~" in quotes for the home folder)';
}

/** Custom issues come from the folder checks; showing what a relative or `~` path became explains most of them. */
function folderDetail(issue: z.core.$ZodIssue, written: unknown): string {
  if (issue.code !== "custom") return "";
  const resolved: unknown = issue.params?.resolved;
  if (typeof resolved !== "string" || resolved === String(written).trim()) return ` (it ${issue.message})`;
  return ` (resolved to ${resolved}, which ${issue.message})`;
}

function issueOrder(path: readonly PropertyKey[]): number {
  const key = String(path[0]);
  const rank = isConfigKey(key) ? CONFIG_KEYS.indexOf(key) : CONFIG_KEYS.length;
  const item = typeof path[1] === "number" ? path[1] : -1;
  return rank * 1_000_000 + item + 1;
}

function pathLabel(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`)).join("");
}

function valueAt(values: unknown, path: readonly PropertyKey[]): unknown {
  let current = values;
  for (const part of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}
