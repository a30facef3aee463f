// The console's page: the runs list (/), one run (/runs/<id>) or the tasklist (/tasks).
"use strict";

const match = /^\/runs\/([\w-]+)$/.exec(location.pathname);
(match ? showRun(match[1]) : location.pathname === "/tasks" ? showTasklist() : showRuns()).catch((error) => {
  document.body.append(el("p", { class: "error fatal", text: `The console could not load: ${error.message}` }));
});
