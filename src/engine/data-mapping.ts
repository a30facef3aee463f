import type { CompiledCallData, CompiledMapping } from "../model/graph.js";
import type { Core } from "./core.js";
import { newRef, release, setKey, share, shallowCopy, writable, type Data, type DataRef } from "./data.js";
import { mergeInto } from "./merge.js";
import type { Token } from "./token.js";

/*
 * Data mappings drawn in the modeler (Zeebe ioMapping, Camunda 7
 * inputOutput, call activity in/out): each target key gets the value of its
 * source expression. Inputs are local variables of the activity, as both
 * Camunda engines scope them: evaluated on the token's data before the
 * activity runs, visible to it, and gone when it completes (the keys go
 * back to their values around the activity, token.outer). Outputs are
 * evaluated on the data it completed with and written to the process data.
 * An expression that throws fails the token, like a condition.
 */

/** Sets the node's input mappings; false when one failed (the token has been failed). */
export function applyInputs(core: Core, token: Token): boolean {
  const mappings = token.node.inputs!;
  const values = evaluated(core, token, mappings);
  if (values === undefined) return false;
  token.outer = share(token.ref);
  token.ref = writable(token.ref);
  mappings.forEach((mapping, i) => setKey(token.ref.data, mapping.target, values[i]));
  return true;
}

/**
 * The activity completed: its outputs are evaluated on the data it
 * completed with (its inputs included), its inputs' keys go back to their
 * values around it (for a Zeebe task with outputs, all its data does), and
 * the outputs are set. False when an output failed (the token has been failed).
 */
export function applyOutputs(core: Core, token: Token): boolean {
  const node = token.node;
  const mappings = node.outputs ?? [];
  const values = evaluated(core, token, mappings);
  if (values === undefined) return false;
  const outer = token.outer;
  token.outer = undefined;
  if (outer !== undefined && node.onlyOutputs) {
    release(token.ref);
    token.ref = outer;
  } else if (outer !== undefined) {
    token.ref = writable(token.ref);
    for (const input of node.inputs!) restoreKey(token.ref.data, outer.data, input.target);
    release(outer);
  }
  if (mappings.length > 0) token.ref = writable(token.ref);
  mappings.forEach((mapping, i) => setKey(token.ref.data, mapping.target, values[i]));
  return true;
}

/* the mappings' values on the token's data; undefined when one threw (the token has been failed) */
function evaluated(core: Core, token: Token, mappings: readonly CompiledMapping[]): unknown[] | undefined {
  try {
    const scope = core.scopeOf(token);
    return mappings.map((mapping) => mapping.source.evaluate(scope));
  } catch (error) {
    core.fail(token, error);
    return undefined;
  }
}

/** The data around the token's activity: what its boundary events and the event sub-processes it raises to continue with. */
export function activityData(token: Token): DataRef {
  return token.outer ?? token.ref;
}

function restoreKey(data: Data, outer: Data, key: string): void {
  if (Object.hasOwn(outer, key)) setKey(data, key, outer[key]);
  else delete data[key];
}

/** The data a call activity's process starts with: all of the caller's (shared) unless the file maps variables. */
export function callInput(core: Core, token: Token): DataRef | undefined {
  const binding = token.node.callIn;
  if (binding === undefined || (binding.all && binding.mappings.length === 0)) return share(token.ref);
  let values: unknown[];
  try {
    values = evaluateAll(core, token, binding);
  } catch (error) {
    core.fail(token, error);
    return undefined;
  }
  const data: Data = binding.all ? shallowCopy(token.ref.data) : {};
  binding.mappings.forEach((mapping, i) => setKey(data, mapping.target, values[i]));
  return newRef(data);
}

/**
 * What the caller goes on with once the called process ended: its result
 * (which started from the caller's data) unless the file maps variables,
 * else the caller's own data with the result merged in (`all`) and the
 * mapped values set. Throws when a mapping fails.
 */
export function callOutput(core: Core, owner: Token, result: DataRef | undefined): DataRef | undefined {
  const node = owner.node;
  const binding = node.callOut;
  const locals = node.callIn?.locals;
  const passedAll = node.callIn === undefined || node.callIn.all;
  if ((binding === undefined || (binding.all && binding.mappings.length === 0)) && passedAll && locals === undefined) return result;
  const out = binding ?? { all: true, mappings: [], locals: undefined };
  const ref = newRef(shallowCopy(owner.ref.data));
  if (result !== undefined && out.all) mergeInto(ref, result.data);
  // the call activity's own inputs were its local variables: the caller keeps its values
  for (const key of locals ?? []) restoreKey(ref.data, owner.ref.data, key);
  if (out.mappings.length > 0) {
    const scope = { ...core.scopeOf(owner), data: result?.data ?? {} };
    out.mappings.forEach((mapping) => setKey(ref.data, mapping.target, mapping.source.evaluate(scope)));
  }
  return ref;
}

function evaluateAll(core: Core, token: Token, binding: CompiledCallData): unknown[] {
  const scope = core.scopeOf(token);
  return binding.mappings.map((mapping) => mapping.source.evaluate(scope));
}
