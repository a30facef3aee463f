/** `--ui` and `--ui-port N` as the run needs them, or what is wrong with them. */
export function liveViewFlags(ui: boolean | undefined, port: string | undefined): { port: number | undefined } | undefined | string {
  if (port === undefined) return ui ? { port: undefined } : undefined;
  const value = Number(port);
  if (!Number.isInteger(value) || value < 1 || value > 65535) return `--ui-port must be a port number from 1 to 65535, got "${port}"`;
  return { port: value };
}
