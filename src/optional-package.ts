import { AdhesiveError } from "./errors.js";

/** A feature needs a package that is not installed: adhesive does not install what only some users need. */
export class MissingPackageError extends AdhesiveError {
  /** always `ADHESIVE_MISSING_PACKAGE` */
  declare readonly code: "ADHESIVE_MISSING_PACKAGE";
  /** the npm package to install */
  readonly packageName: string;

  constructor(packageName: string, feature: string, cause: unknown) {
    super("ADHESIVE_MISSING_PACKAGE", `${feature} needs the ${packageName} package, which is not installed: run \`npm install ${packageName}\` in your project`, { cause });
    this.packageName = packageName;
  }
}

/**
 * Imports an optional peer dependency (package.json peerDependenciesMeta)
 * when a feature first needs it. `load` is the feature's own `import()`,
 * so bundlers and type checkers still see the module name.
 */
export async function optionalPackage<M>(packageName: string, feature: string, load: () => Promise<M>): Promise<M> {
  try {
    return await load();
  } catch (error) {
    if (isMissing(error, packageName)) throw new MissingPackageError(packageName, feature, error);
    throw error;
  }
}

/* only the package itself missing: a package that is there but fails to load says why */
function isMissing(error: unknown, packageName: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return false;
  return String((error as Error).message).includes(`'${packageName}'`);
}
