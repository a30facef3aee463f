/**
 * kube.api against a FAKE kubectl (test/fixtures/bin/, fake-kube-api.mjs):
 * there is no Kubernetes cluster here. The fake keeps a small object store
 * and answers as kubectl does (`-o json`, Lists, "Error from server
 * (NotFound)" on stderr), so the argument vectors, the parsing of the
 * answers and the errors are real; an API server is not.
 */
import { readdir } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Adhesive, docker, kube, KubeApiError, UsageError, type KubeObject } from "../../src/index.js";
import { fakeCliSetup, type FakeCliSetup } from "./fake-cli.js";

let setup: FakeCliSetup;

beforeEach(async () => {
  setup = await fakeCliSetup();
});

afterEach(async () => {
  await setup.cleanup();
});

interface Deployment extends KubeObject {
  spec: { replicas: number };
}

const MANIFEST = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: { app: web, tier: front }
spec:
  replicas: 2
---
apiVersion: v1
kind: Service
metadata:
  name: web
  labels: { app: web }
`;

describe("kube.api (against a fake kubectl)", () => {
  it("deploys: creates a namespace, applies a manifest, lists by label, scales, reads the deployment back and deletes it", async () => {
    const api = kube.api(setup.parent(), { namespace: "staging" });

    const namespace = await api.create("namespace", "staging");
    expect(namespace).toMatchObject({ kind: "Namespace", metadata: { name: "staging" } });
    const applied = await api.apply(MANIFEST);
    expect(applied.map((o) => `${o.kind}/${o.metadata.name}@${o.metadata.namespace}`)).toEqual(["Deployment/web@staging", "Service/web@staging"]);
    const fronts = await api.list("deployments", { labels: { app: "web", tier: "front" } });
    expect(fronts.map((o) => o.metadata.name)).toEqual(["web"]);
    await api.scale("deployment", "web", 5);
    const deployment = await api.get<Deployment>("deployment", "web");
    expect(deployment.spec.replicas).toBe(5);
    await api.delete("deployment", "web");
    expect(await api.exists("deployment", "web")).toBe(false);
    expect(await api.exists("service", "web")).toBe(true);

    const calls = (await setup.calls()).map((call) => call.map((arg) => (arg.endsWith("manifest.yaml") ? "<manifest>" : arg)));
    expect(calls).toEqual([
      ["kubectl", "create", "namespace", "staging", "-n", "staging", "-o", "json"],
      ["kubectl", "apply", "-f", "<manifest>", "-n", "staging", "-o", "json"],
      ["kubectl", "get", "deployments", "-l", "app=web,tier=front", "-n", "staging", "-o", "json"],
      ["kubectl", "scale", "deployment", "web", "--replicas=5", "-n", "staging"],
      ["kubectl", "get", "deployment", "web", "-n", "staging", "-o", "json"],
      ["kubectl", "delete", "deployment", "web", "-n", "staging"],
      ["kubectl", "get", "deployment", "web", "-n", "staging", "--ignore-not-found", "-o", "name"],
      ["kubectl", "get", "service", "web", "-n", "staging", "--ignore-not-found", "-o", "name"],
    ]);
    // the manifest went through a temporary folder of the workspace, gone afterwards
    expect((await readdir(setup.folder)).filter((name) => name.startsWith(".tmp-"))).toEqual([]);
  });

  it("a missing object is a KubeApiError naming the kubectl command and what the API server said", async () => {
    const api = kube.api(setup.parent(), { namespace: "prod", context: "kind-ci" });
    const failure = api.get("pod", "nope");
    await expect(failure).rejects.toBeInstanceOf(KubeApiError);
    await expect(failure).rejects.toMatchObject({
      code: "ADHESIVE_KUBECTL_FAILED",
      reason: "NotFound",
      exitCode: 1,
      command: "kubectl --context kind-ci get pod nope -n prod -o json",
      stderr: 'Error from server (NotFound): pods "nope" not found',
    });
    await expect(failure).rejects.toThrow(/^kubectl command `kubectl --context kind-ci get pod nope -n prod -o json` exited with code 1:\n {2}\| Error from server \(NotFound\): pods "nope" not found$/);

    await api.create("deployment", "web", { args: ["--image=nginx:1.27"] });
    await expect(api.create("deployment", "web", { args: ["--image=nginx:1.27"] })).rejects.toMatchObject({ reason: "AlreadyExists" });
    await expect(api.delete("pod", "nope")).rejects.toMatchObject({ reason: "NotFound" });
    await api.delete("pod", "nope", { ignoreNotFound: true });
  });

  it("exists is false only for a missing object: a cluster that cannot be reached is an error", async () => {
    const unreachable = { get: { exit: 1, stderr: "The connection to the server localhost:8080 was refused - did you specify the right host or port?\n" } };
    const api = kube.api(setup.parent({ fail: unreachable }));
    const failure = api.exists("pod", "web-0");
    await expect(failure).rejects.toMatchObject({ code: "ADHESIVE_KUBECTL_FAILED", reason: undefined });
    await expect(failure).rejects.toThrow(/connection to the server localhost:8080 was refused/);
  });

  it("lists with a field selector, across namespaces, or nothing; a call may name its own namespace", async () => {
    const api = kube.api(setup.parent());
    await api.apply([
      { apiVersion: "v1", kind: "Pod", metadata: { name: "a", namespace: "one" }, status: { phase: "Running" } },
      { apiVersion: "v1", kind: "Pod", metadata: { name: "b", namespace: "two" }, status: { phase: "Pending" } },
      { apiVersion: "v1", kind: "Pod", metadata: { name: "c", namespace: "two" }, status: { phase: "Running" } },
    ]);
    const running = await api.list("pods", { fields: { "status.phase": "Running" }, allNamespaces: true });
    expect(running.map((pod) => `${pod.metadata.namespace}/${pod.metadata.name}`)).toEqual(["one/a", "two/c"]);
    expect((await api.list("pods", { namespace: "two", fields: "status.phase!=Running" })).map((pod) => pod.metadata.name)).toEqual(["b"]);
    expect(await api.list("pods", { labels: "app=none", allNamespaces: true })).toEqual([]);
    const calls = await setup.calls();
    expect(calls[1]).toEqual(["kubectl", "get", "pods", "--field-selector", "status.phase=Running", "--all-namespaces", "-o", "json"]);
  });

  it("applies one object under the namespace of the call; raw and rawJson run any kubectl command with the api's context and kubeconfig", async () => {
    const api = kube.api(setup.parent(), { context: "ci", kubeconfig: "/etc/kube/config" });
    const [config] = await api.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { mode: "fast" } }, { namespace: "apps" });
    expect(config).toMatchObject({ kind: "ConfigMap", metadata: { name: "settings", namespace: "apps" }, data: { mode: "fast" } });
    expect(await api.raw(["get", "configmap", "-n", "apps", "-o", "name"])).toBe("configmap/settings\n");
    const list = await api.rawJson<{ items: KubeObject[] }>(["get", "cm", "-n", "apps", "-o", "json"]);
    expect(list.items).toHaveLength(1);
    await expect(api.rawJson(["get", "cm", "-n", "apps"])).rejects.toMatchObject({ code: "ADHESIVE_KUBECTL_OUTPUT", message: expect.stringContaining('printed no JSON: "settings"') });
    expect((await setup.calls()).at(-1)).toEqual(["kubectl", "--context", "ci", "--kubeconfig", "/etc/kube/config", "get", "cm", "-n", "apps"]);
  });

  it("refuses what kubectl would read as a flag, a negative replica count and an empty manifest, without calling kubectl", async () => {
    const api = kube.api(setup.parent());
    await expect(api.get("pod", "--all")).rejects.toBeInstanceOf(UsageError);
    await expect(api.scale("deployment", "web", -1)).rejects.toBeInstanceOf(UsageError);
    await expect(api.apply("  \n")).rejects.toBeInstanceOf(UsageError);
    expect(await setup.calls()).toEqual([]);
  });

  it("runs where the task's workspace is: in a run, a task in a docker lane deploys through the container's kubectl", async () => {
    const data = await new Adhesive()
      .lane("deploy", async function* () {
        yield* docker.lane(setup.parent(), "bitnami/kubectl");
      })
      .task("Deploy", async (ctx) => {
        const api = kube.api(ctx.workspace, { namespace: "prod" });
        await api.apply(MANIFEST);
        ctx.data.replicas = (await api.get<Deployment>("deployment", "web")).spec.replicas;
      })
      .processStart()
      .task("Deploy", { lane: "deploy" })
      .processEnd()
      .build({ tempFolder: setup.root, runsFolder: setup.root, journal: false });

    expect(data.replicas).toBe(2);
    // `docker exec ... sh -c 'kubectl ...'`: the command lines the container's shell got
    const inContainer = (await setup.calls()).filter((call) => call[1] === "exec" && call.at(-1)!.startsWith("kubectl "));
    expect(inContainer.map((call) => call.at(-1)!.split(" ").slice(0, 2).join(" "))).toEqual(["kubectl apply", "kubectl get"]);
    expect(await setup.kubeObjects()).toHaveLength(2);
  });
});
