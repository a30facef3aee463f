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
  inside: later(async () => (await dockerModule()).dockerInside) as typeof dockerInside,
  start: later(async () => (await dockerModule()).startDocker) as typeof startDocker,
  lane: laterLane(async () => (await dockerModule()).dockerLane) as typeof dockerLane,
  build: later(async () => (await import("../workspaces/docker-build.js")).dockerBuild) as typeof dockerBuild,
};

/**
 * `kube.inside(ws, { pod, namespace?, container?, context? }, fn)`: a workspace in a pod's container via kubectl;
 * `api(ws, { namespace?, context? })` gets, lists, creates, applies, scales and deletes objects with kubectl in a workspace (src/workspaces/kube-api.ts).
 */
export const kube = {
  inside: later(async () => (await kubeModule()).kubeInside) as typeof kubeInside,
  connect: later(async () => (await kubeModule()).connectKube) as typeof connectKube,
  api: kubeApi,
};

/** `scm.checkout(ws, { from?, to? })`: the project's files in a workspace, without its `.adhesive` folder (src/workspaces/checkout.ts). */
export const scm = { checkout: later(async () => (await import("../workspaces/checkout.js")).checkout) as typeof checkout };

/** `ssh.inside(ws, { host, username, keyFile | privateKey | password }, fn)`: a workspace on another machine over one ssh connection (src/workspaces/ssh.ts). */
export const ssh = {
  connect: later(async () => (await sshModule()).connectSsh) as typeof connectSsh,
  inside: later(async () => (await sshModule()).sshInside) as typeof sshInside,
  lane: laterLane(async () => (await sshModule()).sshLane) as typeof sshLane,
};
