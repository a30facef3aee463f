/*
 * The API's workspace kinds: docker, kube, scm and ssh. Each loads its
 * module with its first call, so that a process whose commands run on this
 * machine does not read the other kinds (about a dozen modules, a round trip
 * through tsx each when run from the sources). kube.api() answers at once
 * and kube-api.ts is small: it stays a plain import.
 */
import type { checkout } from "../workspaces/checkout.js";
import type { dockerInside, dockerLane, startDocker } from "../workspaces/docker.js";
import type { dockerBuild } from "../workspaces/docker-build.js";
import { kubeApi } from "../workspaces/kube-api.js";
import type { connectKube, kubeInside } from "../workspaces/kube.js";
import type { connectSsh, sshInside, sshLane } from "../workspaces/ssh.js";
import type { Workspace } from "../workspaces/workspace.js";

/* `fn` as it is once `load` has loaded it; an error loading it is the call's */
function later<A extends unknown[], R>(load: () => Promise<(...args: A) => Promise<R>>): (...args: A) => Promise<R> {
  return async (...args) => (await load())(...args);
}

/* the same for a lane: its generator hands over to the loaded one (next, throw and return alike) */
function laterLane<A extends unknown[]>(load: () => Promise<(...args: A) => AsyncGenerator<Workspace, void, unknown>>) {
  return async function* (...args: A): AsyncGenerator<Workspace, void, unknown> {
    yield* (await load())(...args);
  };
}

const dockerModule = () => import("../workspaces/docker.js");
const kubeModule = () => import("../workspaces/kube.js");
const sshModule = () => import("../workspaces/ssh.js");

/**
 * `docker.inside(ws, image, fn)`: a workspace in a container (see src/workspaces/docker.ts); `start` and `lane` for lanes;
 * `build(ws, tags, { context?, file?, buildArgs? })` builds an image in a workspace (src/workspaces/docker-build.ts).
 */
export const docker = {
  /** `docker.inside(ws, image, fn, options?)`: runs `fn` with a workspace in a fresh container of `image` (`ws.pwd` mounted at the same path) and always removes the container afterwards. */
  inside: later(async () => (await dockerModule()).dockerInside) as typeof dockerInside,
  /** `docker.start(ws, image, options?)`: starts such a container and resolves to its workspace; the caller must `stop()` it. */
  start: later(async () => (await dockerModule()).startDocker) as typeof startDocker,
  /** For a lane: `lane("build", (ctx) => docker.lane(ctx.workspace, "node:20"))` yields the container's workspace and removes the container when the lane is torn down. */
  lane: laterLane(async () => (await dockerModule()).dockerLane) as typeof dockerLane,
  /** `docker.build(ws, tags, { context?, file?, buildArgs? })`: runs `docker build` in the workspace and resolves to the image's id and tags. */
  build: later(async () => (await import("../workspaces/docker-build.js")).dockerBuild) as typeof dockerBuild,
};

/**
 * `kube.inside(ws, { pod, namespace?, container?, context? }, fn)`: a workspace in a pod's container via kubectl;
 * `api(ws, { namespace?, context? })` gets, lists, creates, applies, scales and deletes objects with kubectl in a workspace (src/workspaces/kube-api.ts).
 */
export const kube = {
  /** `kube.inside(ws, { pod, namespace?, container?, context? }, fn)`: runs `fn` with a workspace in a container of an existing pod, through kubectl. */
  inside: later(async () => (await kubeModule()).kubeInside) as typeof kubeInside,
  /** `kube.connect(ws, options)`: that workspace, without a scope to end (a pod's container needs no closing). */
  connect: later(async () => (await kubeModule()).connectKube) as typeof connectKube,
  /** `kube.api(ws, { namespace?, context? })`: a KubeApi that gets, lists, creates, applies, scales and deletes objects with kubectl in the workspace. */
  api: kubeApi,
};

/** `scm.checkout(ws, { from?, to? })`: the project's files in a workspace, without its `.adhesive` folder (src/workspaces/checkout.ts). */
export const scm = {
  /** `scm.checkout(ws, { from?, to? })`: copies the project into the workspace, without `.adhesive/` and sockets, and resolves to the folder it went to. */
  checkout: later(async () => (await import("../workspaces/checkout.js")).checkout) as typeof checkout,
};

/** `ssh.inside(ws, { host, username, keyFile | privateKey | password }, fn)`: a workspace on another machine over one ssh connection (src/workspaces/ssh.ts). */
export const ssh = {
  /** `ssh.connect(ws, options)`: opens the connection and the workspace's folder on the host; close it with `close()`. */
  connect: later(async () => (await sshModule()).connectSsh) as typeof connectSsh,
  /** `ssh.inside(ws, { host, username, keyFile | privateKey | password }, fn)`: connects, runs `fn` with the workspace, and always closes the connection. */
  inside: later(async () => (await sshModule()).sshInside) as typeof sshInside,
  /** For a lane: `lane("server", (ctx) => ssh.lane(ctx.workspace, options))` yields the ssh workspace and closes the connection when the lane is torn down. */
  lane: laterLane(async () => (await sshModule()).sshLane) as typeof sshLane,
};
