import { readdir } from "node:fs/promises";
import { homedir } from "node:os";
import { relative, resolve, sep } from "node:path";
import { readSecret, type WithSecretOptions } from "./secrets.js";

/**
 * Registers the value of every secret in the project's and the user's
 * `.adhesive/secrets/` for masking, and returns how many there are. For a
 * process that shows runs rather than running them (`adhesive ui`): a run
 * masks a secret in what it writes only once it has read it, and a value
 * that reached data or a log before that is masked here on the way out.
 * A secret that cannot be read (too short, no permission) is left out.
 */
export async function registerKnownSecrets(options: WithSecretOptions = {}): Promise<number> {
  const names = new Set<string>();
  for (const folder of [options.projectFolder ?? process.cwd(), options.homeFolder ?? homedir()]) {
    const secrets = resolve(folder, ".adhesive", "secrets");
    const entries = await readdir(secrets, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.isFile()) names.add(relative(secrets, resolve(entry.parentPath, entry.name)).split(sep).join("/"));
    }
  }
  let registered = 0;
  for (const name of names) {
    try {
      await readSecret(name, options);
      registered++;
    } catch {
      // refused or unreadable: it cannot be used by a run either
    }
  }
  return registered;
}
