/**
 * The names of the elements your processes have, for the type checker.
 * Empty here, so the implementation functions take any name; the file
 * `adhesive types <file.bpmn>` writes fills it in by declaration merging:
 *
 * ```ts
 * declare module "adhesive-bpmn" {
 *   interface ProcessNames {
 *     tasks: "Build" | "Test" | `Deploy ${string}`;
 *     userTasks: "Approve";
 *     messages: never;
 *     gateways: "Release?";
 *     jobTypes: "mail";
 *   }
 * }
 * ```
 *
 * and from then on `task("Biuld", ...)` is a compile error that lists the
 * names it could be, and editors complete the names. A category set to
 * `never` takes no name at all (`{ re }` still works everywhere).
 */
export interface ProcessNames {}

/**
 * The names in these categories of ProcessNames, or any string when no
 * generated file says. One lookup for all of them, so that an error message
 * shows the names themselves rather than the name of a union of them.
 */
type Known<Category extends string> = ProcessNames extends infer Names extends { [K in Category]: string } ? Names[Category] : string;

/** What `task()` takes: the names of tasks, receive tasks, message throw events, looping sub-processes and gateways (gateway() is task() by another name). */
export type TaskName = Known<"tasks" | "gateways">;
/** What `usertask()` takes. */
export type UserTaskName = Known<"userTasks">;
/** What `message()` and `messageCallback()` take: message events and receive tasks, by element or message name. */
export type MessageName = Known<"messages">;
/** What `gateway()` takes. */
export type GatewayName = Known<"gateways">;
/** What `task({ type })` takes: the job types of service tasks (zeebe:taskDefinition type, camunda:topic). */
export type JobType = Known<"jobTypes">;
