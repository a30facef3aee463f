import { child, children, str, type ModdleElement } from "./moddle.js";
import { foldName } from "./text.js";

/**
 * node id → name of the innermost lane listing it, over the process and its
 * sub-processes (modelers put the lane sets on either).
 */
export function laneAssignments(process: ModdleElement): Map<string, string> {
  const lanes = new Map<string, string>();
  collectContainer(process, lanes);
  return lanes;
}

function collectContainer(container: ModdleElement, lanes: Map<string, string>): void {
  for (const laneSet of children(container, "laneSets")) collectLaneSet(laneSet, lanes);
  for (const element of children(container, "flowElements")) {
    if (children(element, "flowElements").length > 0 || children(element, "laneSets").length > 0) {
      collectContainer(element, lanes);
    }
  }
}

function collectLaneSet(laneSet: ModdleElement, lanes: Map<string, string>): void {
  for (const lane of children(laneSet, "lanes")) {
    // an unnamed lane names no workspace, so its nodes keep the enclosing lane
    const name = foldName(str(lane, "name"));
    if (name) {
      for (const node of children(lane, "flowNodeRef")) {
        const id = str(node, "id");
        if (id) lanes.set(id, name);
      }
    }
    // child lanes are visited after their parent so the innermost lane wins
    const childLaneSet = child(lane, "childLaneSet");
    if (childLaneSet) collectLaneSet(childLaneSet, lanes);
  }
}
