import type { CompiledCallData, CompiledMapping } from "../model/graph.js";
import type { Core } from "./core.js";
import { newRef, setKey, share, shallowCopy, writable, type Data, type DataRef } from "./data.js";
import { mergeInto } from "./merge.js";
import type { Token } from "./token.js";

/*
 * Data mappings drawn in the modeler (Zeebe ioMapping, Camunda 7
 * inputOutput, call activity in/out): each target key gets the value of its
 * source expression. Inputs are evaluated on the token's data before the
 * activity runs and stay in its data; outputs on the data it completed with.
 * An expression that throws fails the token, like a condition.
 */

/** Sets the node's input mappings; false when one failed (the token has been failed). */
export function applyInputs(core: Core, token: Token): boolean {
  return apply(core, token, token.node.inputs!);
}

/** Sets the node's output mappings from the data it completed with; false when one failed. */
export function applyOutputs(core: Core, token: Token): boolean {
  return apply(core, token, token.node.outputs!);
}

function apply(core: Core, token: Token, mappings: readonly CompiledMapping[]): boolean {
  let values: unknown[];
  try {
    const scope = core.scopeOf(token);
    values = mappings.map((mapping) => mapping.source.evaluate(scope));
  } catch (error) {
    core.fail(token, error);
    return false;
  }
  token.ref = writable(token.ref);
  mappings.forEach((mapping, i) => setKey(token.ref.data, mapping.target, values[i]));
  return true;
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
  const passedAll = node.callIn === undefined || node.callIn.all;
  if ((binding === undefined || (binding.all && binding.mappings.length === 0)) && passedAll) return result;
  const out = binding ?? { all: true, mappings: [] };
  const ref = newRef(shallowCopy(owner.ref.data));
  if (result !== undefined && out.all) mergeInto(ref, result.data);
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
