/**
 * `kube.api(ws)`: the Kubernetes API as a deployment pipeline uses it (get,
 * list, exists, create, delete, scale, apply), as the original's
 * `adhesive.kubeapi.KubeApi` offered. Every call is one `kubectl` command
 * run through the workspace's own `run`, so it goes wherever the workspace
 * is (this machine, an ssh host, a container in a lane, with that place's
 * kubeconfig), prints to the task's log and is killed when the task is
 * cancelled. Answers are kubectl's `-o json`, parsed.
 */
import { posix } from "node:path";
import { AdhesiveError, UsageError } from "../errors.js";
import { redact } from "../secrets/redact.js";
import { cliFailure, commandLine, runArgv } from "./cli-exec.js";
import { CommandError } from "./command-error.js";
import type { Workspace } from "./workspace.js";

/** The metadata every Kubernetes object has; the rest is kept as kubectl gave it. */
export interface KubeMetadata {
  /** the object's name */
  name: string;
  /** its namespace (none for cluster-wide kinds) */
  namespace?: string;
  /** the id the API server gave it */
  uid?: string;
  /** its labels */
  labels?: Record<string, string>;
  /** its annotations */
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** A Kubernetes object as kubectl prints it with `-o json`; give your own type (`get<Deployment>(...)`) for its spec and status. */
export interface KubeObject {
  /** `v1`, `apps/v1`, ... */
  apiVersion: string;
  /** `Pod`, `Deployment`, ... */
  kind: string;
  /** its name, namespace, labels, ... */
  metadata: KubeMetadata;
  [key: string]: unknown;
}

/** How kube.api() calls kubectl. */
export interface KubeApiOptions {
  /** `-n` of every call that does not name its own (default: the context's namespace) */
  namespace?: string;
  /** `kubectl --context` (default: the current context) */
  context?: string;
  /** `kubectl --kubeconfig`, a path where the workspace runs its commands (default: kubectl's own) */
  kubeconfig?: string;
  /** the kubectl CLI (default `kubectl`) */
  cli?: string;
}

/** The namespace of one call. */
export interface KubeNamespaceOption {
  /** this call's namespace instead of the api's */
  namespace?: string;
}

/** A label or field selector: kubectl's own syntax (`"app=web,tier!=db"`), or names and values that must all be equal. */
export type KubeSelector = string | Readonly<Record<string, string>>;

/** Which objects KubeApi.list() lists. */
export interface KubeListOptions extends KubeNamespaceOption {
  /** `-l`: only objects with these labels */
  labels?: KubeSelector;
  /** `--field-selector`: only objects with these fields (`{ "status.phase": "Running" }`) */
  fields?: KubeSelector;
  /** `--all-namespaces` instead of one namespace */
  allNamespaces?: boolean;
}

/**
 * A kubectl command the API ran failed (`ADHESIVE_KUBECTL_FAILED`), or
 * printed what is not the JSON asked for (`ADHESIVE_KUBECTL_OUTPUT`). The
 * message names the command and what kubectl said on stderr; secret values
 * are masked in both, as in every CommandError.
 */
export class KubeApiError extends AdhesiveError {
  /** `ADHESIVE_KUBECTL_FAILED` or `ADHESIVE_KUBECTL_OUTPUT` */
  declare readonly code: "ADHESIVE_KUBECTL_FAILED" | "ADHESIVE_KUBECTL_OUTPUT";
  /** the kubectl command line */
  readonly command: string;
  /** undefined when kubectl was killed, could not start, or exited 0 with unreadable output */
  readonly exitCode: number | undefined;
  /** the last lines kubectl printed (its stderr; stdout too when it wrote any) */
  readonly stderr: string;
  /** the API server's reason, from `Error from server (NotFound): ...`: "NotFound", "AlreadyExists", "Forbidden"... */
  readonly reason: string | undefined;

  constructor(code: "ADHESIVE_KUBECTL_FAILED" | "ADHESIVE_KUBECTL_OUTPUT", command: string, how: string, details: { exitCode?: number; stderr?: string; cause?: unknown }) {
    super(code, `kubectl command \`${command}\` ${how}`, { cause: details.cause });
    this.command = command;
    this.exitCode = details.exitCode;
    this.stderr = details.stderr ?? "";
    this.reason = /Error from server \((\w+)\)/.exec(this.stderr)?.[1];
  }
}

/** Calls the Kubernetes API with kubectl, in a workspace (see the file's comment). */
export class KubeApi {
  private readonly workspace: Workspace;
  private readonly options: KubeApiOptions;

  constructor(workspace: Workspace, options: KubeApiOptions = {}) {
    this.workspace = workspace;
    this.options = { ...options };
  }

  /** `kubectl get KIND NAME -o json`; an object that does not exist is a KubeApiError with `reason` "NotFound". */
  async get<T extends KubeObject = KubeObject>(kind: string, name: string, options: KubeNamespaceOption = {}): Promise<T> {
    return this.rawJson<T>(["get", resource(kind), objectName(name), ...this.namespaceArgs(options), "-o", "json"]);
  }

  /** `kubectl get KIND -l ... --field-selector ... -o json`: the objects, `[]` when none match. */
  async list<T extends KubeObject = KubeObject>(kind: string, options: KubeListOptions = {}): Promise<T[]> {
    const filters = [
      ...(options.labels === undefined ? [] : ["-l", selector(options.labels, "labels")]),
      ...(options.fields === undefined ? [] : ["--field-selector", selector(options.fields, "fields")]),
    ];
    const where = options.allNamespaces === true ? ["--all-namespaces"] : this.namespaceArgs(options);
    return itemsOf<T>(await this.rawJson<KubeObject>(["get", resource(kind), ...filters, ...where, "-o", "json"]));
  }

  /** Whether the object exists; any other failure (no cluster, no permission) is still an error. */
  async exists(kind: string, name: string, options: KubeNamespaceOption = {}): Promise<boolean> {
    const found = await this.raw(["get", resource(kind), objectName(name), ...this.namespaceArgs(options), "--ignore-not-found", "-o", "name"]);
    return found.trim() !== "";
  }

  /**
   * `kubectl create KIND NAME [args]`, e.g. `create("namespace", "ci")` or
   * `create("deployment", "web", { args: ["--image=nginx"] })`; resolves to
   * the object created. Already there: a KubeApiError, `reason` "AlreadyExists".
   */
  async create<T extends KubeObject = KubeObject>(kind: string, name: string, options: KubeNamespaceOption & { args?: readonly string[] } = {}): Promise<T> {
    return this.rawJson<T>(["create", resource(kind), objectName(name), ...(options.args ?? []), ...this.namespaceArgs(options), "-o", "json"]);
  }

  /** `kubectl delete KIND NAME` (waits until it is gone); `ignoreNotFound` makes a missing object fine. */
  async delete(kind: string, name: string, options: KubeNamespaceOption & { ignoreNotFound?: boolean } = {}): Promise<void> {
    await this.raw(["delete", resource(kind), objectName(name), ...this.namespaceArgs(options), ...(options.ignoreNotFound === true ? ["--ignore-not-found"] : [])]);
  }

  /** `kubectl scale KIND NAME --replicas=N` (a deployment, stateful set, replica set). */
  async scale(kind: string, name: string, replicas: number, options: KubeNamespaceOption = {}): Promise<void> {
    if (!Number.isInteger(replicas) || replicas < 0) throw new UsageError(`kube api scale ${kind}/${name}: replicas must be a whole number >= 0, not ${replicas}`);
    await this.raw(["scale", resource(kind), objectName(name), `--replicas=${replicas}`, ...this.namespaceArgs(options)]);
  }

  /**
   * `kubectl apply -f` of a manifest: YAML or JSON text (several documents
   * are fine), an object, or a list of objects. The manifest goes through a
   * file in a temporary folder of the workspace, removed afterwards.
   * Resolves to the objects as applied.
   */
  async apply<T extends KubeObject = KubeObject>(manifest: string | KubeObject | readonly KubeObject[], options: KubeNamespaceOption = {}): Promise<T[]> {
    const text = typeof manifest === "string" ? manifest : JSON.stringify(isList(manifest) ? { apiVersion: "v1", kind: "List", items: manifest } : manifest);
    if (text.trim() === "") throw new UsageError("kube api apply: the manifest is empty");
    const applied = await this.workspace.withTempFolder(async (temp) => {
      await temp.writeFile("manifest.yaml", text);
      return this.rawJson<KubeObject>(["apply", "-f", posix.join(temp.pwd, "manifest.yaml"), ...this.namespaceArgs(options), "-o", "json"]);
    });
    return itemsOf<T>(applied);
  }

  /** Any kubectl command (`["rollout", "status", "deployment/web"]`): its stdout. The api's context, kubeconfig are added; its namespace is not. */
  async raw(args: readonly string[]): Promise<string> {
    const argv = [this.options.cli ?? "kubectl", ...this.globalArgs(), ...args];
    try {
      return await runArgv(this.workspace, argv, { capture: true });
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      throw new KubeApiError("ADHESIVE_KUBECTL_FAILED", error.command, cliFailure(error), { exitCode: error.exitCode, stderr: error.output, cause: error });
    }
  }

  /** `raw`, with its stdout parsed as JSON (add `-o json` to `args` where kubectl needs it). */
  async rawJson<T = unknown>(args: readonly string[]): Promise<T> {
    const output = await this.raw(args);
    try {
      return JSON.parse(output) as T;
    } catch (error) {
      const command = redact(commandLine([this.options.cli ?? "kubectl", ...this.globalArgs(), ...args]));
      const start = redact(output.trim().slice(0, 200));
      throw new KubeApiError("ADHESIVE_KUBECTL_OUTPUT", command, `printed no JSON${start ? `: ${JSON.stringify(start)}` : " (nothing)"}`, { cause: error });
    }
  }

  private globalArgs(): string[] {
    const { context, kubeconfig } = this.options;
    return [...(context === undefined ? [] : ["--context", context]), ...(kubeconfig === undefined ? [] : ["--kubeconfig", kubeconfig])];
  }

  private namespaceArgs(options: KubeNamespaceOption): string[] {
    const namespace = options.namespace ?? this.options.namespace;
    return namespace === undefined ? [] : ["-n", namespace];
  }
}

/** `kube.api(ws, { namespace?, context? })`: see KubeApi. */
export function kubeApi(workspace: Workspace, options: KubeApiOptions = {}): KubeApi {
  return new KubeApi(workspace, options);
}

/* a kind (`pod`, `deployment.apps`) or a name starting with `-` would be read by kubectl as a flag */
function resource(kind: string): string {
  if (kind.trim() === "" || kind.startsWith("-")) throw new UsageError(`kube api: ${JSON.stringify(kind)} is no kind of object`);
  return kind;
}

function objectName(name: string): string {
  if (name.trim() === "" || name.startsWith("-")) throw new UsageError(`kube api: ${JSON.stringify(name)} is no object name`);
  return name;
}

function selector(value: KubeSelector, what: string): string {
  if (typeof value === "string") return value;
  const pairs = Object.entries(value);
  if (pairs.length === 0) throw new UsageError(`kube api list: the ${what} selector is empty`);
  return pairs.map(([key, wanted]) => `${key}=${wanted}`).join(",");
}

function isList(manifest: KubeObject | readonly KubeObject[]): manifest is readonly KubeObject[] {
  return Array.isArray(manifest);
}

/* kubectl answers a List for several objects (and for every `get` without a name), the object itself for one */
function itemsOf<T>(answer: KubeObject): T[] {
  if (answer.kind === "List" && Array.isArray(answer.items)) return answer.items as T[];
  return [answer as unknown as T];
}
