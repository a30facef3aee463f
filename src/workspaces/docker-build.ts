/**
 * `docker.build(ws, tags)`: builds an image from a folder of a workspace,
 * as the original's `adhesive.workspace.docker.build` did. The docker CLI
 * runs through the workspace's own `run` (in its `pwd`), so the build
 * happens wherever the workspace is (this machine, an ssh host, a
 * container with a docker CLI), prints to the task's log and is killed
 * when the task is cancelled.
 *
 * The image id comes from `--iidfile` rather than `-q`: the build's own
 * output stays in the log, and the file is written the same way by the
 * classic builder, BuildKit and podman.
 */
import { posix } from "node:path";
import { AdhesiveError, UsageError } from "../errors.js";
import { cliFailure, envPairs, runArgv } from "./cli-exec.js";
import { CommandError } from "./command-error.js";
import type { Workspace } from "./workspace.js";

/** How docker.build() builds. */
export interface DockerBuildOptions {
  /** the build context, relative to the workspace's `pwd` (default `.`) */
  context?: string;
  /** the Dockerfile, relative to the workspace's `pwd` (default: `Dockerfile` in the context) */
  file?: string;
  /** `--build-arg NAME=VALUE` for each entry */
  buildArgs?: Record<string, string>;
  /** `--target`: the stage of a multi-stage Dockerfile to build */
  target?: string;
  /** more `docker build` arguments, e.g. `["--pull", "--no-cache"]`; placed before the context */
  args?: string[];
  /** the docker CLI (default `docker`; `podman` takes the same arguments) */
  cli?: string;
}

/** The image docker.build() built. */
export interface DockerBuildResult {
  /** the image's id as docker reports it (`sha256:...`) */
  imageId: string;
  /** the tags the image got, as given */
  tags: string[];
}

/**
 * Runs `docker build` in `workspace` and resolves to the image's id and
 * tags. A failed build rejects with an AdhesiveError `ADHESIVE_DOCKER_BUILD`
 * naming the tags, the context and the last lines of the build's output.
 */
export async function dockerBuild(workspace: Workspace, tags: string | readonly string[], options: DockerBuildOptions = {}): Promise<DockerBuildResult> {
  const tagList = typeof tags === "string" ? [tags] : [...tags];
  const empty = tagList.find((tag) => tag.trim() === "");
  if (empty !== undefined) throw new UsageError("docker.build: a tag is empty");
  const context = options.context ?? ".";
  const cli = options.cli ?? "docker";
  const buildArgs = envPairs(options.buildArgs, "docker build --build-arg").flatMap((pair) => ["--build-arg", pair]);
  return workspace.withTempFolder(async (temp) => {
    // beside the workspace's own files, never in the context: it is not sent to the builder
    const iidFile = posix.join(temp.pwd, "image-id");
    const argv = [
      cli,
      "build",
      ...tagList.flatMap((tag) => ["-t", tag]),
      ...(options.file === undefined ? [] : ["-f", options.file]),
      ...buildArgs,
      ...(options.target === undefined ? [] : ["--target", options.target]),
      "--iidfile",
      iidFile,
      ...(options.args ?? []),
      context,
    ];
    try {
      await runArgv(workspace, argv);
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      throw new AdhesiveError("ADHESIVE_DOCKER_BUILD", `could not build ${describeImage(tagList)} from ${JSON.stringify(context)} in ${workspace.pwd}: docker build ${cliFailure(error)}`, {
        cause: error,
      });
    }
    const imageId = (await temp.readFile("image-id")).trim();
    if (imageId === "") throw new AdhesiveError("ADHESIVE_DOCKER_BUILD", `${cli} build of ${describeImage(tagList)} wrote no image id to --iidfile`);
    return { imageId, tags: tagList };
  });
}

function describeImage(tags: readonly string[]): string {
  return tags.length === 0 ? "an untagged docker image" : `docker image ${tags.map((tag) => JSON.stringify(tag)).join(", ")}`;
}
