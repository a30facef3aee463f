/** Types of runtime-files.mjs, for the tests that call it. */
export declare class RuntimeFileError extends Error {
  readonly code: "ADHESIVE_BUILD_RUNTIME_FILE";
}

/** Copies into `root`/dist what its compiled code loads by URL from src/; returns the copied paths relative to `root`. */
export declare function copyRuntimeFiles(root: string): string[];
