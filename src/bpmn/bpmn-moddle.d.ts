/*
 * bpmn-moddle 10 ships generated element types under "bpmn-moddle/types" but
 * no declaration for its entry point; this covers the part adhesive calls.
 * Elements are typed loosely on purpose: the reader treats any file as
 * untrusted input and checks every property it reads (see ./moddle.ts).
 */
declare module "bpmn-moddle" {
  export interface ModdleWarning {
    message: string;
    element?: unknown;
    property?: string;
    value?: unknown;
    error?: Error;
  }

  export interface FromXmlResult {
    rootElement: unknown;
    elementsById: Record<string, unknown>;
    references: unknown[];
    warnings: ModdleWarning[];
  }

  export interface ToXmlResult {
    xml: string;
  }

  export interface BpmnModdleInstance {
    fromXML(xml: string, typeName?: string, options?: Record<string, unknown>): Promise<FromXmlResult>;
    toXML(element: unknown, options?: { format?: boolean; preamble?: boolean }): Promise<ToXmlResult>;
    create(type: string, attrs?: Record<string, unknown>): unknown;
    /** an element of a namespace no loaded descriptor knows, written as given */
    createAny(name: string, nsUri: string, properties?: Record<string, unknown>): unknown;
  }

  export const BpmnModdle: new (
    packages?: Record<string, unknown>,
    options?: Record<string, unknown>,
  ) => BpmnModdleInstance;
}

/* bpmn-auto-layout ships no declarations; its one entry point. */
declare module "bpmn-auto-layout" {
  export function layoutProcess(xml: string): Promise<string>;
}
