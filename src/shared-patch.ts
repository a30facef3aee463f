/**
 * A change to a process-wide object (console, process.exit) that every
 * active run needs: made when the first run acquires it, undone when the
 * last one releases it. Each release function counts once, however often
 * it is called.
 */
export function sharedPatch(install: () => void, uninstall: () => void): () => () => void {
  let holders = 0;
  return () => {
    if (holders++ === 0) install();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--holders === 0) uninstall();
    };
  };
}
