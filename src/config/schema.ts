import type { z } from "zod";
import { folderProblem, resolveUserPath } from "./paths.js";

export const LOG_LEVELS = ["trace", "debug", "info", "warning", "error", "critical"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const PARALLEL_PROCESSING = ["async", "worker"] as const;
export type ParallelProcessing = (typeof PARALLEL_PROCESSING)[number];

/** How a string from an environment variable becomes the value the schema checks ("json": a mapping written as JSON). */
export type EnvKind = "string" | "boolean" | "integer" | "list" | "json";

interface KeySpec {
  /** what the value must be, completing "pool_size must be ..." */
  readonly expected: string;
  /** the same for one element of a list */
  readonly expectedItem?: string;
  readonly env: EnvKind;
  /** a value as messages show it, when it may hold a secret */
  readonly shown?: (value: unknown) => unknown;
}

/* the password of a URL, masked in messages */
const maskPassword = (value: unknown): unknown => (typeof value === "string" ? value.replace(/^([a-z]+:\/\/[^:@/]*:)[^@/]*@/i, "$1***@") : value);

/** Every key a config file or an `ADHESIVE_*` variable may set, in the order they are documented. */
export const KEY_SPECS = {
  temp_folder: { expected: "a folder path", env: "string" },
  plugins: { expected: "a list of folder paths", expectedItem: "an existing folder", env: "list" },
  color: { expected: "true, false or auto", env: "boolean" },
  log_level: { expected: `one of ${LOG_LEVELS.join(", ")}`, env: "string" },
  task_line_rate: { expected: "a whole number, 0 or more (task lines a second)", env: "integer" },
  pool_size: { expected: "a positive whole number", env: "integer" },
  stdout: { expected: "true or false", env: "boolean" },
  parallel_processing: { expected: PARALLEL_PROCESSING.map((mode) => `"${mode}"`).join(" or "), env: "string" },
  task_limit: { expected: "a positive whole number (tasks a run may start)", env: "integer" },
  keep_runs: { expected: "a whole number, 0 or more", env: "integer" },
  runs_folder: { expected: "a folder path", env: "string" },
  journal: { expected: "true or false", env: "boolean" },
  journal_fsync: { expected: "true or false", env: "boolean" },
  ui_port: { expected: "a port number from 1 to 65535 (the live view of --ui)", env: "integer" },
  store: { expected: "a Redis URL, redis://host[:port][/db]", env: "string", shown: maskPassword },
  pools: { expected: 'a mapping of lane patterns to pool names (in a variable, as JSON: {"GPU.*": "gpu"})', env: "json" },
  worker_concurrency: { expected: "a positive whole number (jobs a worker runs at once)", env: "integer" },
  lock_duration_ms: { expected: "a whole number of milliseconds, 1000 or more", env: "integer" },
  stalled_interval_ms: { expected: "a whole number of milliseconds, 100 or more", env: "integer" },
  lease_ttl_ms: { expected: "a whole number of milliseconds, 1000 or more", env: "integer" },
  keep_results_s: { expected: "a positive whole number of seconds", env: "integer" },
  schedule_to_start_ms: { expected: "a positive whole number of milliseconds", env: "integer" },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof KEY_SPECS;
export const CONFIG_KEYS = Object.keys(KEY_SPECS) as ConfigKey[];

export function isConfigKey(name: string): name is ConfigKey {
  return Object.hasOwn(KEY_SPECS, name);
}

// Enumerations are matched case-insensitively: `ADHESIVE_LOG_LEVEL=DEBUG` is too common to reject.
const lowerCase = (value: unknown): unknown => (typeof value === "string" ? value.toLowerCase() : value);

/**
 * The schema of one configuration layer. Paths are resolved against `base`
 * (the config file's folder, or the working directory for the environment)
 * while validating, so a missing plugin folder is reported like any other bad
 * value, with the key and the source it came from.
 */
export async function layerSchema(base: string, home: string) {
  // loaded when there is something to validate, not on every start
  const { z } = await import("zod");
  const { poolsProblem, storeUrlProblem } = await import("./store-keys.js");
  const folder = (mustExist: boolean) =>
    z
      .string()
      // surrounding blanks in a path are a slip (often from `a : b` in a list), never meant
      .trim()
      .min(1)
      .transform((path) => resolveUserPath(path, base, home))
      .superRefine(async (path, ctx) => {
        const problem = await folderProblem(path, mustExist);
        if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem, params: { resolved: path } });
      });
  return z
    .strictObject({
      temp_folder: folder(false),
      plugins: z.array(folder(true)),
      color: z.union([z.boolean(), z.preprocess(lowerCase, z.literal("auto"))]),
      log_level: z.preprocess(lowerCase, z.enum(LOG_LEVELS)),
      task_line_rate: z.number().int().nonnegative(),
      pool_size: z.number().int().positive(),
      stdout: z.boolean(),
      parallel_processing: z.preprocess(lowerCase, z.enum(PARALLEL_PROCESSING)),
      task_limit: z.number().int().positive(),
      keep_runs: z.number().int().nonnegative(),
      runs_folder: folder(false),
      journal: z.boolean(),
      journal_fsync: z.boolean(),
      ui_port: z.number().int().min(1).max(65535),
      store: z
        .string()
        .trim()
        .superRefine((url, ctx) => {
          const problem = storeUrlProblem(url);
          if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
        }),
      pools: z.record(z.string(), z.string()).superRefine((pools, ctx) => {
        const problem = poolsProblem(pools);
        if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
      }),
      worker_concurrency: z.number().int().positive(),
      // below these, a busy machine's pauses alone would pass for dead workers and orchestrators
      lock_duration_ms: z.number().int().min(1000),
      stalled_interval_ms: z.number().int().min(100),
      lease_ttl_ms: z.number().int().min(1000),
      keep_results_s: z.number().int().positive(),
      schedule_to_start_ms: z.number().int().positive(),
    } satisfies Record<ConfigKey, z.ZodType>)
    .partial();
}

/** One layer's values after validation, paths already absolute. */
export type LayerValues = z.output<Awaited<ReturnType<typeof layerSchema>>>;
