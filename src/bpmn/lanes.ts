import { child, children, str, type ModdleElement } from "./moddle.js";
import { foldName } from "./text.js";

/**
 * node id → name of the innermost lane listing it, over the process and its
 * sub-processes (modelers put the lane sets on either).
 */
export function laneAssignments(process: ModdleElement): Map<string, string> {
  const lanes = new Map<string, string>();
  // explicit stacks, not recursion: a file may nest sub-processes or lanes thousands deep
  const containers = [process];
  for (let container = containers.pop(); container !== undefined; container = containers.pop()) {
    for (const laneSet of children(container, "laneSets")) collectLaneSet(laneSet, lanes);
    for (const element of children(container, "flowElements")) {
      if (children(element, "flowElements").length > 0 || children(element, "laneSets").length > 0) containers.push(element);
    }
  }
  return lanes;
}

/* child lanes are visited after their parent so the innermost lane wins */
function collectLaneSet(root: ModdleElement, lanes: Map<string, string>): void {
  const laneSets = [root];
  for (let laneSet = laneSets.shift(); laneSet !== undefined; laneSet = laneSets.shift()) {
    for (const lane of children(laneSet, "lanes")) {
      // an unnamed lane names no workspace, so its nodes keep the enclosing lane
      const name = foldName(str(lane, "name"));
      if (name) {
        for (const node of children(lane, "flowNodeRef")) {
          const id = str(node, "id");
          if (id) lanes.set(id, name);
        }
      }
      const childLaneSet = child(lane, "childLaneSet");
      if (childLaneSet) laneSets.push(childLaneSet);
    }
  }
}
