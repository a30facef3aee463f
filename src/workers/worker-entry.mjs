// Entry of a worker thread in parallel_processing: worker mode. Plain
// JavaScript on purpose: a worker starts without the main thread's module
// hooks, so TypeScript (adhesive's own source and the user's process file)
// only loads after tsx is registered here.
import { register } from "tsx/esm/api";

register();
await import("./worker-main.ts");
