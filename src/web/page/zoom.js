// A failed run's page opens on the element that failed: the diagram is
// zoomed to it, centred. One button fits the whole diagram again, another
// goes back to the failure.
"use strict";

/* how much larger than the diagram's own size the failed element is shown, at most */
const FAILURE_SCALE = 1.2;

function zoomToFailure() {
  const zoom = document.getElementById("zoom");
  zoom.hidden = false;
  document.getElementById("zoom-fit").onclick = () => {
    // the canvas keeps its size from when it was made: the summary and the panels around it may have changed it since
    viewer.get("canvas").resized();
    viewer.get("canvas").zoom("fit-viewport", "auto");
    document.body.dataset.zoomedTo = "";
  };
  const id = failedElement();
  const button = document.getElementById("zoom-failure");
  button.hidden = id === undefined;
  if (id === undefined) return;
  button.onclick = () => centreOn(id);
  centreOn(id);
}

/* the element whose failure failed the run: the last failure nothing caught */
function failedElement() {
  if (!state.summary || state.summary.state !== "failed") return undefined;
  const registry = viewer.get("elementRegistry");
  const failure = state.failures.filter((f) => !f.caught && registry.get(f.elementId)).at(-1);
  if (failure) return failure.elementId;
  return Object.keys(state.elements).find((id) => state.elements[id].failed > 0 && registry.get(id));
}

function centreOn(id) {
  const canvas = viewer.get("canvas");
  canvas.resized();
  const element = viewer.get("elementRegistry").get(id);
  const { outer } = canvas.viewbox();
  // no larger than the element's width in a third of the canvas: a small canvas still shows what is around it
  const scale = Math.min(FAILURE_SCALE, outer.width / 3 / Math.max(element.width, 1), outer.height / 3 / Math.max(element.height, 1));
  const width = outer.width / scale;
  const height = outer.height / scale;
  canvas.viewbox({ x: element.x + element.width / 2 - width / 2, y: element.y + element.height / 2 - height / 2, width, height });
  // which element the page is zoomed to (the tests read it)
  document.body.dataset.zoomedTo = id;
}
