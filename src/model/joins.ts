import { setBit, type GraphNode, type Scope } from "./graph.js";

/*
 * Decides, once per scope, which nodes can ever receive more than one token
 * of the same scope instance (only those need the join check) and gives each
 * such node the bitset of its ancestors. The engine then answers "can a live
 * token still reach this join?" with one bit test per token move, instead of
 * walking the graph or scanning tokens per event.
 */
export function computeJoins(scope: Scope): void {
  const arrivals = countArrivals(scope);
  for (const node of scope.nodes) {
    if (node.join === "never" || arrivals[node.local] < 2 || passesEach(node)) continue;
    node.ancestors = ancestorsOf(node, scope);
    scope.hasJoins = true;
  }
}

/*
 * A parallel or inclusive gateway with one incoming flow is activated by
 * each token that comes down it (BPMN §13.4.1, §13.4.3: a token on each
 * incoming flow that can get one), however many come one after the other.
 * Tasks keep adhesive's implicit join (SPEC, "Implicit join"), so do
 * complex gateways, which run like tasks.
 */
function passesEach(node: GraphNode): boolean {
  return node.join === "always" && node.incomingCount <= 1;
}

/*
 * A token leaving here continues once per flow, or once per loop iteration.
 * Repeating (non-interrupting) boundary events are left out on purpose: each
 * firing runs its own path, like each message event, and is merged only
 * where that path meets another one; otherwise every reminder of a running
 * task would wait at its first task for the task to end.
 */
function multiplies(node: GraphNode): boolean {
  return node.loop !== undefined;
}

function successors(node: GraphNode): GraphNode[] {
  const result = node.outgoing.map((flow) => flow.target);
  result.push(...node.boundaries);
  return result;
}

/*
 * Where the token at `node` itself can go next. An interrupting boundary
 * takes the activity's token on (the activity is cancelled); a
 * non-interrupting one leaves it where it is and forks a new token per
 * firing, so the activity's token never reaches the boundary's path: it
 * must not hold a join there (a reminder after its task would wait for the
 * task to end).
 */
function moves(node: GraphNode): GraphNode[] {
  const result = node.outgoing.map((flow) => flow.target);
  for (const boundary of node.boundaries) if (boundary.interrupting) result.push(boundary);
  return result;
}

/** Number of tokens that can arrive at each node, saturated at 2 (Kahn order; cycles count as many). */
function countArrivals(scope: Scope): Uint8Array {
  const size = scope.nodes.length;
  const indegree = new Int32Array(size);
  const arrivals = new Uint8Array(size);
  const next = scope.nodes.map(successors);
  for (const targets of next) for (const target of targets) indegree[target.local]++;
  for (const start of scope.starts) arrivals[start.local] = 1;
  for (const start of scope.messageStarts) arrivals[start.local] = 1;
  const queue: GraphNode[] = scope.nodes.filter((n) => indegree[n.local] === 0);
  const visited = new Uint8Array(size);
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head];
    visited[node.local] = 1;
    const out = multiplies(node) ? 2 : arrivals[node.local];
    for (const target of next[node.local]) {
      arrivals[target.local] = Math.min(2, arrivals[target.local] + out);
      if (--indegree[target.local] === 0) queue.push(target);
    }
  }
  for (let i = 0; i < size; i++) if (!visited[i]) arrivals[i] = 2;
  return arrivals;
}

function ancestorsOf(node: GraphNode, scope: Scope): Uint32Array {
  const predecessors = predecessorLists(scope);
  const bits = new Uint32Array((scope.nodes.length + 31) >>> 5);
  const stack = [node.local];
  const seen = new Uint8Array(scope.nodes.length);
  while (stack.length > 0) {
    const current = stack.pop()!;
    for (const previous of predecessors[current]) {
      if (seen[previous]) continue;
      seen[previous] = 1;
      setBit(bits, previous);
      stack.push(previous);
    }
  }
  bits[node.local >>> 5] &= ~(1 << (node.local & 31));
  return bits;
}

const predecessorCache = new WeakMap<Scope, number[][]>();

function predecessorLists(scope: Scope): number[][] {
  let lists = predecessorCache.get(scope);
  if (lists) return lists;
  lists = scope.nodes.map(() => []);
  for (const node of scope.nodes) for (const target of moves(node)) lists[target.local].push(node.local);
  predecessorCache.set(scope, lists);
  return lists;
}
