// The console's page: the runs list (/) or one run (/runs/<id>).
"use strict";

const match = /^\/runs\/([\w-]+)$/.exec(location.pathname);
(match ? showRun(match[1]) : showRuns()).catch((error) => {
  document.body.append(el("p", { class: "error fatal", text: `The console could not load: ${error.message}` }));
});
