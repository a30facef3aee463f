/**
 * The message, deduplication and timer scenarios of the original Python
 * adhesive (germaniumhq/adhesive: features/message.feature,
 * features/boundary_timers.feature, features/bugs/bug_deduplicate_*.feature,
 * bug_message_events_error_shutdown_freeze.feature,
 * bug_message_interpolation.feature, and test/adhesive/xml/test_reading_bpmn.py
 * for message-event.bpmn and event-timeout.bpmn), plus regression tests for
 * SPEC 3 (each event is its own instance, backpressure).
 *
 * The processes and task bodies follow the original's _adhesive.py. Where
 * the original relied on `time.sleep` to order things (a generator faster
 * than the tasks, a task slower than the others), the port orders them
 * explicitly with latches, so the expected counts are exact instead of the
 * original's "< 20". Timers run on a SimulatedClock except one real-time
 * one-second test. Every wait is bounded: a hang fails the test.
 */
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Adhesive, CancelledError, SimulatedClock, TaskError, loadBpmn, type Context, type NodeDefinition } from "../../src/index.js";
import { executionCounts, fixture, record } from "./features-tasks.js";
import {
  EventRunObserver,
  RestEndpoint,
  bounded,
  clockSleep,
  compare,
  get,
  latch,
  nextTurn,
  outcome,
  sleep,
  turns,
  until,
} from "./events-tasks.js";

interface IndexedEvent {
  index: number;
  id: string;
}

const eventOf = (ctx: Context) => ctx.data.event as IndexedEvent;
/** Fixtures of the regression tests (not from the original): test/fixtures/messages/. */
const messages = (name: string) => fileURLToPath(new URL(`../fixtures/messages/${name}`, import.meta.url));

describe("message.feature", () => {
  it("Run a workflow that generates 10 messages", async () => {
    const seen: unknown[] = [];
    const adhesive = new Adhesive()
      .message("Generate Event", async function* () {
        for (let i = 0; i < 5; i++) {
          yield i;
          await nextTurn(5); // time.sleep(0.2) of the original
        }
      })
      .task("Process Event", (ctx) => {
        ctx.data.executions = new Set([randomUUID()]);
        seen.push(ctx.data.event); // LOG.info(f"event data: {context.data.event}")
      });
    const observer = new EventRunObserver();

    const data = await bounded(
      adhesive.bpmnBuild(fixture("feature--message--basic-read--basic-read.bpmn"), { waitTasks: false, reporter: observer.reporter }),
      "the run",
    );

    // each event is its own instance; their results merge: the Sets union
    expect((data.executions as Set<string>).size).toBe(5);
    expect(seen.sort(compare)).toEqual([0, 1, 2, 3, 4]);
    expect(observer.counts("finished")).toEqual({ "Process Event": 5 });
  });

  it("Run the deduplication process sync", async () => {
    // the gateway keeps its own state across events, as the original did with globals
    let alreadyRunning = false;
    let pendingEvents = false;
    let newEvents = 0;
    const allArrived = latch();
    const adhesive = new Adhesive()
      .message("Start Event", function* () {
        // generate 100 events really fast
        for (let i = 0; i < 100; i++) yield { index: i, state: "new" };
      })
      .gateway("Deduplicate Events", (ctx) => {
        const event = ctx.data.event as { state: string };
        if (event.state === "new" && ++newEvents === 100) allArrived.open();
        if (event.state === "new" && alreadyRunning) {
          pendingEvents = true;
          return; // we collapse the current event
        }
        if (event.state === "done") alreadyRunning = false;
        if (event.state === "done" && !pendingEvents) return;
        // we have either a new event, or a done event arriving
        event.state = "process";
        pendingEvents = false;
        alreadyRunning = true;
      })
      .task("Execute Task", async (ctx) => {
        // the original's tasks ran in a thread pool, slower than the generator: here the
        // first execution explicitly outlasts the burst
        await bounded(allArrived.promise, "the 100 events reaching the gateway");
        (ctx.data.executed_tasks as Set<string>).add(randomUUID());
      })
      .task("Set the event as processed", (ctx) => {
        (ctx.data.event as { state: string }).state = "done";
      });
    const observer = new EventRunObserver();

    const data = await bounded(
      adhesive.bpmnBuild(fixture("feature--message--deduplication--deduplicate.bpmn"), {
        waitTasks: false,
        initialData: { executed_tasks: new Set() },
        poolSize: 8,
        reporter: observer.reporter,
      }),
      "the run",
    );

    // most events should be deduplicated (original: < 20): the first event runs, the 99 others
    // collapse into one more run when it is done
    expect((data.executed_tasks as Set<string>).size).toBe(2);
    expect(observer.count("finished", "Execute Task")).toBe(2);
    // 100 new events, then the two "done" tokens that came back
    expect(observer.count("finished", "Deduplicate Events")).toBe(102);
  });

  it("Run the deduplication process async", async () => {
    const alreadyRunning = new Set<string>();
    const pendingEvents = new Map<string, unknown>();
    const ids: string[] = [];
    let newEvents = 0;
    const allArrived = latch();
    const adhesive = new Adhesive()
      .message("Start Event", function* () {
        // generate 100 events really fast
        for (let i = 0; i < 100; i++) {
          const eventId = String(Math.floor(Math.random() * 3)); // random.randint(0, 2)
          ids.push(eventId);
          yield { index: i, state: "new", event_id: eventId };
        }
      })
      .task("Deduplicate Events", (ctx) => {
        let event = ctx.data.event as { state: string; event_id: string };
        const eventId = event.event_id;
        ctx.data.event_id = eventId;
        if (event.state === "new" && ++newEvents === 100) allArrived.open();
        // Since we already have events running, we let this token pass through. Since the
        // state will be "new" and not "process" we'll drop this token.
        if (event.state === "new" && alreadyRunning.has(eventId)) {
          pendingEvents.set(eventId, event);
          return;
        }
        // a task finished: that event id type is not running anymore
        if (event.state === "done") alreadyRunning.delete(eventId);
        // we did a loop and returned with the done event, and nothing else is waiting
        if (event.state === "done" && !pendingEvents.has(eventId)) return;
        // we have either a new event, or a done event arriving
        if (event.state === "done") {
          event = pendingEvents.get(eventId) as typeof event;
          ctx.data.event = event;
          pendingEvents.delete(eventId);
        }
        event.state = "process";
        alreadyRunning.add(eventId);
      })
      .task("Execute Task for {event_id}", async (ctx) => {
        await bounded(allArrived.promise, "the 100 events reaching Deduplicate Events");
        (ctx.data.executed_tasks as Set<string>).add(randomUUID());
      })
      .task("Set the event as processed", (ctx) => {
        (ctx.data.event as { state: string }).state = "done";
      });
    const observer = new EventRunObserver();

    const data = await bounded(
      adhesive.bpmnBuild(fixture("feature--message--deduplication-async--deduplicate.bpmn"), {
        waitTasks: false,
        initialData: { executed_tasks: new Set() },
        poolSize: 8,
        reporter: observer.reporter,
      }),
      "the run",
    );

    // per event id: the first event runs, and all the later ones collapse into one more run
    const expected: Record<string, number> = {};
    for (const id of new Set(ids)) expected[`Execute Task for ${id}`] = Math.min(2, ids.filter((i) => i === id).length);
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    expect(observer.counts("finished")).toMatchObject(expected);
    expect((data.executed_tasks as Set<string>).size).toBe(total);
    expect(total).toBeLessThan(20);
  });

  it("Run the deduplication process using annotations", async () => {
    const batchEmitted = [latch(), latch()];
    const observer = new EventRunObserver();
    const mismatches: string[] = [];
    const adhesive = new Adhesive()
      .message("Start Event", async function* () {
        for (const batch of [0, 1]) {
          for (let i = 0; i < 50; i++) yield { index: i, id: `new${i % 8}`, batch };
          batchEmitted[batch].open();
          if (batch === 0) {
            // time.sleep(2) of the original: the first batch is over before the second starts.
            // Its last event of each id (42..49) is the one that waited and must have run.
            await until(
              () => [42, 43, 44, 45, 46, 47, 48, 49].every((index) => ["Execute Task", "Noop", "Noop2"].every((name) => finished(name, 0, index))),
              "the last waiting event of each id of the first batch to run",
            );
            await nextTurn();
          }
        }
      })
      .task({ name: "Deduplicate Task", deduplicate: "event.id" }, (ctx) => {
        ctx.data.extra_id = eventOf(ctx).id;
      })
      .task("Execute Task", async (ctx) => {
        // time.sleep(0.2): the first events of a batch hold their id until the whole burst arrived
        await bounded(batchEmitted[(ctx.data.event as { batch: number }).batch].promise, "the batch to be emitted");
        await nextTurn(2);
        (ctx.data.executed_tasks as Set<string>).add(randomUUID());
        if (ctx.data.extra_id !== eventOf(ctx).id) mismatches.push(`${String(ctx.data.extra_id)} != ${eventOf(ctx).id}`);
      })
      .task("Noop", () => undefined)
      .task("Noop2", () => undefined);
    const finished = (name: string, batch: number, index: number) =>
      observer.records.some((r) => r.kind === "finished" && r.name === name && (r.event as { batch: number; index: number }).batch === batch && (r.event as IndexedEvent).index === index);

    const data = await bounded(
      adhesive.bpmnBuild(fixture("feature--message--deduplication-annotation--deduplicate.bpmn"), {
        waitTasks: false,
        initialData: { executed_tasks: new Set() },
        poolSize: 32,
        reporter: observer.reporter,
      }),
      "the run",
    );

    expect((data.executed_tasks as Set<string>).size).toBe(32);
    expect(mismatches).toEqual([]);
    // per batch and id: the first event (0..7) ran, and the newest waiting one (42..49); the ones between were dropped
    const ran = [...Array.from({ length: 8 }, (_, i) => i), ...Array.from({ length: 8 }, (_, i) => 42 + i)];
    for (const batch of [0, 1]) {
      const indexes = observer
        .eventsOf("finished", "Execute Task")
        .filter((e) => (e as { batch: number }).batch === batch)
        .map((e) => (e as IndexedEvent).index)
        .sort(compare);
      expect(indexes, `batch ${batch}`).toEqual(ran);
    }
    expect(observer.counts("finished")).toEqual({ "Deduplicate Task": 32, "Execute Task": 32, Noop: 32, Noop2: 32 });
  });
});

describe("REST message callbacks (features/processes/message/callback-ingestion, no .feature file runs it)", () => {
  it("Message callbacks on a real HTTP endpoint start one instance per request", async () => {
    const endpoint = new RestEndpoint();
    const callbackSignals: AbortSignal[] = [];
    // a callback registers its route on the shared server, starts it, and is done when the server closes
    const restCallback = (path: string) => (ctx: Context, emit: (event: unknown) => void) => {
      callbackSignals.push(ctx.signal);
      ctx.signal.addEventListener("abort", () => endpoint.close());
      endpoint.route(path, () => emit({ data: "event data" }));
      return endpoint.start().then(() => endpoint.closed);
    };
    const adhesive = new Adhesive()
      .messageCallback("REST: /rest/start-build", restCallback("/rest/start-build"))
      .messageCallback("REST: /", restCallback("/"))
      .task("Start Flask Server", async (ctx) => {
        // the callbacks started it; wait for it to listen
        ctx.data.port = await endpoint.start();
      })
      .task({ re: /^Process (.+?) Event$/ }, (ctx, eventType) => {
        if ((ctx.data.event as { data: string }).data !== "event data") throw new Error(`event ${JSON.stringify(ctx.data.event)}`);
        ctx.data.ran_tasks = { [`Process ${eventType} Event`]: new Set([randomUUID()]) };
      })
      .task("Generate Messages", async (ctx) => {
        const base = `http://127.0.0.1:${String(ctx.data.port)}`;
        // we wait for the server to come up (bounded, as the original's 6 retries)
        for (let retry = 6; retry > 0; retry--) {
          const ok = await get(`${base}/health`).then(
            (text) => text === "ok",
            () => false,
          );
          if (ok) break;
          if (retry === 1) throw new Error("the REST endpoint never came up");
          await nextTurn(50);
        }
        for (const path of ["/", "/", "/", "/rest/start-build"]) expect(await get(`${base}${path}`)).toBe("ok");
        // the sources end when the server is closed; then the run ends once every instance is done
        endpoint.close();
      });

    try {
      const data = await bounded(
        adhesive.bpmnBuild(fixture("feature--message--callback-ingestion--rest-endpoint.bpmn"), { waitTasks: false }),
        "the run",
      );

      expect(data.ran_tasks, "We have no data back").toBeTruthy();
      const ranTasks = data.ran_tasks as Record<string, Set<string>>;
      expect(Object.keys(ranTasks).sort()).toEqual(["Process Build Event", "Process Root Event"]);
      expect(ranTasks["Process Root Event"].size).toBe(3);
      expect(ranTasks["Process Build Event"].size).toBe(1);
      // the sources' signals fire once the run is over
      expect(callbackSignals.map((s) => s.aborted)).toEqual([true, true]);
    } finally {
      endpoint.close();
    }
  });
});

describe("bugs/bug_deduplicate_eats_events.feature", () => {
  it("Run a process that deduplicates two events", async () => {
    const observer = new EventRunObserver();
    const checked = latch();
    let checks = 0;
    const adhesive = new Adhesive()
      .message("Generate Events", function* () {
        const messageIds = ["a", "a", "b", "a", "a", "a", "a", "b"];
        for (let i = 0; i < messageIds.length; i++) yield { id: messageIds[i], event_index: String(i), index: i };
      })
      .task("Event Check {event.id}", () => {
        if (++checks === 8) checked.open();
      })
      .task({ name: "Event Execute {event.id}", deduplicate: "event.id" }, async (ctx) => {
        // the first event of each id holds it until all 8 events went past Event Check
        await bounded(checked.promise, "the 8 events to be checked");
        await nextTurn(2);
        ctx.data.executed = new Set([eventOf(ctx).id]);
      });

    const data = await bounded(
      adhesive.bpmnBuild(fixture("feature--bugs--deduplicate_eats_events--deduplicate-multiple-bug.bpmn"), {
        waitTasks: false,
        poolSize: 8,
        reporter: observer.reporter,
      }),
      "the run",
    );

    expect(data.executed).toEqual(new Set(["a", "b"]));
    expect(observer.counts("finished")).toEqual({ "Event Check a": 6, "Event Check b": 2, "Event Execute a": 2, "Event Execute b": 2 });
    // a: 0 ran, 1, 3, 4, 5 were replaced while waiting, 6 (the newest) ran; b: 2 ran, 7 waited and ran
    expect(observer.fieldOf("finished", "Event Execute a", "index")).toEqual([0, 6]);
    expect(observer.fieldOf("finished", "Event Execute b", "index")).toEqual([2, 7]);
  });
});

describe("bugs/bug_deduplicate_failure_downstream_wait_lock.feature", () => {
  // The original's feature file ran processes/bugs/deduplicate_multiple_downstream_calls by
  // mistake (copy-paste); this runs the process the feature describes.
  it("Run a process that deduplicates and fails in the process", async () => {
    const observer = new EventRunObserver();
    const started = [latch(), latch(), latch(), latch()];
    const emitted = [latch(), latch(), latch(), latch()];
    const adhesive = new Adhesive()
      .message("Generate events", async function* () {
        // event 0 takes the key; 1 and 2 arrive while it runs (2 replaces 1); 3 arrives while 2 runs
        yield { id: "a", index: 0 };
        await bounded(started[0].promise, "event 0 to start");
        yield { id: "a", index: 1 };
        yield { id: "a", index: 2 };
        emitted[2].open();
        await bounded(started[2].promise, "event 2 to start after event 0 failed downstream");
        yield { id: "a", index: 3 };
        emitted[3].open();
      })
      .task({ name: "Deduplicate Task on {event.id}", deduplicate: "event.id" }, async (ctx) => {
        const { index } = eventOf(ctx);
        started[index].open();
        // time.sleep(2): each holder runs until the next events arrived
        if (index === 0) await bounded(emitted[2].promise, "events 1 and 2");
        if (index === 2) await bounded(emitted[3].promise, "event 3");
        await nextTurn(2);
      })
      .task("Fail first execution", (ctx) => {
        if (eventOf(ctx).index === 0) throw new Error("task failed");
      });

    const data = await bounded(
      adhesive.bpmnBuild(fixture("feature--bugs--deduplicate_failure_downstream_wait_lock--deduplicate_fail_downstream.bpmn"), {
        waitTasks: false,
        poolSize: 8,
        reporter: observer.reporter,
      }),
      "the run (a failure downstream must release the deduplication key)",
    );

    expect(observer.fieldOf("finished", "Deduplicate Task on a", "index")).toEqual([0, 2, 3]);
    // the failure of event 0 was caught by the error boundary event, and the waiting event went on
    expect(observer.fieldOf("failed", "Fail first execution", "index")).toEqual([0]);
    expect(observer.fieldOf("finished", "Fail first execution", "index")).toEqual([2, 3]);
    expect((data._error as { message: string } | undefined)?.message).toBe("task failed");
  });
});

describe("bugs/bug_deduplicate_multiple_downstream_calls.feature", () => {
  it("Run a process that deduplicates and looks later in the process", async () => {
    const observer = new EventRunObserver();
    const firstTaskStarted = latch();
    const allEmitted = latch();
    const running = { now: 0, max: 0 };
    const adhesive = new Adhesive()
      .message("Generate Events", async function* () {
        yield { id: "abc", index: 0 };
        // the others come while the first event is still in the task after the deduplicated one
        await bounded(firstTaskStarted.promise, "Task to start for event 0");
        for (let i = 1; i < 4; i++) yield { id: "abc", index: i };
        allEmitted.open();
      })
      .task({ name: "Deduplicate event on id", deduplicate: "event.id" }, () => undefined)
      .task("Task", async (ctx) => {
        running.max = Math.max(running.max, ++running.now);
        if (eventOf(ctx).index === 0) {
          firstTaskStarted.open();
          await bounded(allEmitted.promise, "events 1 to 3"); // time.sleep(1)
        }
        await nextTurn(2);
        ctx.data.executions = new Set([randomUUID()]);
        running.now--;
      });

    const data = await bounded(
      adhesive.bpmnBuild(fixture("feature--bugs--deduplicate_multiple_downstream_calls--downstream-calls.bpmn"), {
        waitTasks: false,
        poolSize: 8,
        reporter: observer.reporter,
      }),
      "the run",
    );

    expect((data.executions as Set<string>).size).toBe(2);
    // the key is held until event 0's instance ends, not just while "Deduplicate event on id" runs
    expect(observer.fieldOf("finished", "Deduplicate event on id", "index")).toEqual([0, 3]);
    expect(observer.fieldOf("finished", "Task", "index")).toEqual([0, 3]);
    expect(running.max).toBe(1);
  });
});

describe("bugs/bug_message_events_error_shutdown_freeze.feature", () => {
  it("An exception should tear down event listeners", async () => {
    let hour: ReturnType<typeof setTimeout> | undefined;
    let sourceSignal: AbortSignal | undefined;
    const adhesive = new Adhesive()
      .message("Generate events every hour", async function* (ctx) {
        sourceSignal = ctx.signal;
        for (let i = 0; i < 2; i++) {
          yield "data";
          // time.sleep(3600): deliberately deaf to ctx.signal, as the original's was
          await new Promise((resolve) => (hour = setTimeout(resolve, 3_600_000)));
        }
      })
      .task("Fail the process", () => {
        throw new Error("fail the process");
      });

    try {
      const error = await bounded(outcome(adhesive.bpmnBuild(fixture("feature--bugs--message_events_error_shutdown_freeze--event-failure.bpmn"))), "the failing run");

      expect(error).toBeInstanceOf(TaskError);
      expect((error as TaskError).taskName).toBe("Fail the process");
      expect((error as TaskError).message).toContain("fail the process");
      // the source was told to stop
      expect(sourceSignal?.aborted).toBe(true);
    } finally {
      clearTimeout(hour);
    }
  });

  it("A failing message source fails the run with its error and stops the other sources", async () => {
    const observer = new EventRunObserver();
    let steadyPulls = 0;
    let steadyStarts = 0;
    let pullsWhenStopped = -1;
    let webhookSignal: AbortSignal | undefined;
    const adhesive = new Adhesive()
      .message("Broken Feed", async function* () {
        yield { n: 1 };
        await until(
          () => ["Handle Broken", "Handle Steady", "Handle Webhook"].every((name) => observer.count("finished", name) > 0),
          "one event of every source to be handled",
        );
        throw new Error("feed connection lost");
      })
      .message("Steady Feed", async function* () {
        // endless: only the run ending stops it
        steadyStarts++;
        try {
          for (let n = 0; ; n++) {
            steadyPulls++;
            yield { n };
            await nextTurn(5);
          }
        } finally {
          pullsWhenStopped = steadyPulls;
        }
      })
      .messageCallback("Webhook", async (ctx, emit) => {
        webhookSignal = ctx.signal;
        await nextTurn(1);
        emit({ n: 1 });
        // done only when told to stop
        await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
      })
      .task(["Handle Broken", "Handle Steady", "Handle Webhook"], () => undefined);

    const error = await bounded(outcome(adhesive.bpmnBuild(messages("three-sources.bpmn"), { reporter: observer.reporter })), "the run with a failing source");

    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).message).toContain('"Broken Feed"');
    expect((error as TaskError).message).toContain("feed connection lost");
    expect((error as TaskError).elementId).toBe("broken");
    expect((error as TaskError).cause).toBeInstanceOf(Error);
    expect(webhookSignal?.aborted).toBe(true);
    await until(() => pullsWhenStopped >= 0, "the endless source to be stopped");
    // a stopped generator cannot be pulled again: nothing was pulled after it stopped, and it was not started anew
    await turns();
    expect(steadyPulls).toBe(pullsWhenStopped);
    expect(steadyStarts).toBe(1);
  });
});

describe("bugs/bug_message_interpolation.feature", () => {
  it("Run a workflow that interpolates messages on the task execution", async () => {
    const adhesive = new Adhesive()
      .task("put data in context", (ctx) => {
        ctx.data.some_text = "Resolved Value";
      })
      .task("read data {some_text}", (ctx) => record(ctx));

    const data = await adhesive.build();

    expect(executionCounts(data)).toEqual({ "read data Resolved Value": 1 });
  });

  it("Run a workflow that interpolates dictionary based messages", async () => {
    const adhesive = new Adhesive()
      .message("Generate Events", function* () {
        yield { id: "Resolved Id", data: "Resolved Data" };
      })
      .task("Event Check {event.id}", (ctx) => record(ctx))
      .task("Event Execute {event.data}", (ctx) => record(ctx));

    const data = await bounded(adhesive.bpmnBuild(fixture("feature--bugs--message_interpolation_events--message-interpolation-events.bpmn")), "the run");

    expect(executionCounts(data)).toEqual({ "Event Check Resolved Id": 1, "Event Execute Resolved Data": 1 });
  });
});

describe("boundary_timers.feature", () => {
  /** The original's timer processes with "Sleep N Seconds" sleeping `sleepMs` on the clock. */
  function timerProcess(clock: SimulatedClock | undefined, sleepName: string, sleepMs: number, onTimeout: (ctx: Context) => void) {
    const signals: AbortSignal[] = [];
    const adhesive = new Adhesive()
      .task(sleepName, (ctx) => {
        signals.push(ctx.signal);
        return clock ? clockSleep(clock, sleepMs, ctx.signal) : sleep(sleepMs, ctx.signal);
      })
      .task("Timeout was Called", onTimeout);
    return { adhesive, signals };
  }

  it("Running a process with a timer should fire the timer. (duration_timer: non-interrupting PT1S)", async () => {
    const clock = new SimulatedClock();
    const observer = new EventRunObserver();
    const { adhesive, signals } = timerProcess(clock, "Sleep 2 Seconds", 2_000, (ctx) => {
      ctx.data.timeout_was_called = new Set([randomUUID()]);
    });

    const run = adhesive.bpmnBuild(fixture("feature--timers--boundary--duration_timer--one-second-timeout.bpmn"), {
      waitTasks: false,
      clock,
      reporter: observer.reporter,
    });
    // the boundary timer and the task's own sleep
    await until(() => clock.size === 2, "the timers to be armed");
    await clock.advance(999);
    expect(observer.count("started", "Timeout was Called")).toBe(0);
    await clock.advance(1_001);
    const data = await bounded(run, "the run");

    expect(data.timeout_was_called, "Timeout was not called :(").toBeTruthy();
    expect((data.timeout_was_called as Set<string>).size, "The timeout should be called only once").toBe(1);
    expect(observer.count("finished", "Sleep 2 Seconds")).toBe(1);
    expect(observer.count("cancelled")).toBe(0);
    expect(signals[0].aborted).toBe(false);
    expect(clock.size).toBe(0);
  });

  it("Running a process with a timer should fire the timer. (duration_timer_cancel: interrupting PT1S, real time)", async () => {
    const observer = new EventRunObserver();
    const { adhesive, signals } = timerProcess(undefined, "Sleep 2 Seconds", 2_000, (ctx) => {
      ctx.data.timeout_was_called = true;
    });

    const data = await bounded(
      adhesive.bpmnBuild(fixture("feature--timers--boundary--duration_timer_cancel--one-second-timeout.bpmn"), {
        waitTasks: false,
        reporter: observer.reporter,
      }),
      "the run",
    );

    expect(data.timeout_was_called, "Timeout was not called :(").toBe(true);
    expect(observer.count("cancelled", "Sleep 2 Seconds")).toBe(1);
    expect(observer.count("finished", "Sleep 2 Seconds")).toBe(0);
    expect(observer.count("finished", "Timeout was Called")).toBe(1);
    expect(signals[0].aborted).toBe(true);
  });

  it("Running a process with a timer should fire the timer. (duration_timer_cancel: interrupting PT1S, simulated clock)", async () => {
    const clock = new SimulatedClock();
    const observer = new EventRunObserver();
    const { adhesive, signals } = timerProcess(clock, "Sleep 2 Seconds", 2_000, (ctx) => {
      ctx.data.timeout_was_called = true;
    });

    const run = adhesive.bpmnBuild(fixture("feature--timers--boundary--duration_timer_cancel--one-second-timeout.bpmn"), {
      waitTasks: false,
      clock,
      reporter: observer.reporter,
    });
    await until(() => clock.size === 2, "the timers to be armed");
    await clock.advance(999);
    expect(signals[0].aborted).toBe(false);
    await clock.advance(1);
    const data = await bounded(run, "the run");

    expect(data.timeout_was_called).toBe(true);
    expect(signals[0].aborted).toBe(true);
    expect(observer.count("cancelled", "Sleep 2 Seconds")).toBe(1);
    expect(observer.count("finished", "Sleep 2 Seconds")).toBe(0);
    // the task's own sleep was cleared through ctx.signal; nothing is left armed
    expect(clock.size).toBe(0);
  });

  it("Running a process with a timer should fire the timer. (cycle_timer: non-interrupting R/PT1S)", async () => {
    const clock = new SimulatedClock();
    const observer = new EventRunObserver();
    const { adhesive } = timerProcess(clock, "Sleep 3 Seconds", 2_500, (ctx) => {
      ctx.data.timeout_was_called = new Set([randomUUID()]);
    });

    const run = adhesive.bpmnBuild(fixture("feature--timers--boundary--cycle_timer--one-second-timer.bpmn"), {
      waitTasks: false,
      clock,
      reporter: observer.reporter,
    });
    await until(() => clock.size === 2, "the timers to be armed");
    await clock.advance(2_500);
    const data = await bounded(run, "the run");

    expect(data.timeout_was_called, "Timer was not called :(").toBeTruthy();
    expect((data.timeout_was_called as Set<string>).size, "The cycle timer should be called twice").toBe(2);
    expect(observer.count("finished", "Sleep 3 Seconds")).toBe(1);
    // the endless cycle stops with the task
    expect(clock.size).toBe(0);
  });
});

describe("test/adhesive/xml/test_reading_bpmn.py (message-event.bpmn, event-timeout.bpmn)", () => {
  const kinds = (nodes: readonly NodeDefinition[]) => nodes.map((n) => n.kind).sort();

  it("test_reading_message_event", async () => {
    const process = await loadBpmn(fixture("message-event.bpmn"));
    expect(kinds(process.root.nodes)).toEqual(["endEvent", "messageStartEvent", "task"]);
    expect(process.root.flows).toHaveLength(2);
  });

  it("test_reading_event_timeouts", async () => {
    const process = await loadBpmn(fixture("event-timeout.bpmn"));
    const timers = process.root.nodes.filter((n) => n.kind === "timerBoundaryEvent");
    expect(timers.map((t) => t.attachedTo)).toEqual(["_3", "_3", "_3", "_3", "_3"]);
    expect(process.root.nodes.filter((n) => n.kind === "startEvent")).toHaveLength(1);
    expect(process.root.nodes.filter((n) => n.kind === "messageStartEvent")).toHaveLength(0);
    expect(process.root.nodes.filter((n) => n.kind === "endEvent")).toHaveLength(1);
  });

  it("message-event.bpmn runs: one Process File per File Change event, each with its data.event", async () => {
    const files: unknown[] = [];
    const adhesive = new Adhesive()
      .message("File Change", function* () {
        yield* ["a.txt", "b.txt", "c.txt"].map((file) => ({ file }));
      })
      .task("Process File", (ctx) => {
        files.push((ctx.data.event as { file: string }).file);
        record(ctx);
      });

    const data = await bounded(adhesive.bpmnBuild(fixture("message-event.bpmn")), "the run");

    expect(files.sort()).toEqual(["a.txt", "b.txt", "c.txt"]);
    expect(executionCounts(data)).toEqual({ "Process File": 3 });
  });

  /** event-timeout.bpmn: five timers on "Long Running Task"; the earliest interrupting one wins. */
  async function runEventTimeout(clock: SimulatedClock, advanceMs: number) {
    const observer = new EventRunObserver();
    const adhesive = new Adhesive()
      .task("Long Running Task", (ctx) => clockSleep(clock, 3_600_000, ctx.signal))
      .task(["Task Timeout", "40 Seconds Warning", "Status Check"], (ctx) => record(ctx));
    const run = adhesive.bpmnBuild(fixture("event-timeout.bpmn"), { clock, reporter: observer.reporter });
    await until(() => clock.size === 6, "the five boundary timers and the task's sleep to be armed");
    await clock.advance(advanceMs);
    const data = await bounded(run, "the run");
    return { data, observer };
  }

  it("event-timeout.bpmn runs: the interrupting R/PT10S cycle fires first and cancels the task", async () => {
    // days before the timeDate 2019-11-04T04:33:32 (local time), whatever the time zone
    const clock = new SimulatedClock(Date.UTC(2019, 10, 1));
    const { data, observer } = await runEventTimeout(clock, 10_000);

    expect(executionCounts(data)).toEqual({ "Status Check": 1 });
    expect(observer.count("cancelled", "Long Running Task")).toBe(1);
    expect(clock.size).toBe(0);
  });

  it("event-timeout.bpmn runs: a timeDate already past fires at once and cancels the task", async () => {
    const clock = new SimulatedClock(Date.UTC(2026, 0, 1));
    const { data, observer } = await runEventTimeout(clock, 0);

    expect(executionCounts(data)).toEqual({});
    expect(observer.count("cancelled", "Long Running Task")).toBe(1);
    expect(clock.size).toBe(0);
  });
});

describe("SPEC 3 messages: regressions of the original's event handling", () => {
  it("a burst of 1000 events never merges tokens of different events at a join", async () => {
    const observer = new EventRunObserver();
    const wrong: string[] = [];
    const joined: number[] = [];
    const counted: number[] = [];
    const branch = (key: string) => async (ctx: Context) => {
      await new Promise((resolve) => setImmediate(resolve));
      ctx.data[key] = (ctx.data.event as { i: number }).i;
    };
    const check = (into: number[], keys: string[]) => (ctx: Context) => {
      const { i } = ctx.data.event as { i: number };
      for (const key of keys) if (ctx.data[key] !== i) wrong.push(`${ctx.taskName} of event ${i}: ${key} = ${String(ctx.data[key])}`);
      into.push(i);
    };
    const adhesive = new Adhesive()
      .message("Burst", function* () {
        for (let i = 0; i < 1000; i++) yield { i };
      })
      .task("Left", branch("left"))
      .task("Right", branch("right"))
      .task("Join", check(joined, ["left", "right"]))
      .task("Up", branch("up"))
      .task("Down", branch("down"))
      .task("Count", check(counted, ["left", "right", "up", "down"]));

    await bounded(adhesive.bpmnBuild(messages("burst-join.bpmn"), { poolSize: 64, reporter: observer.reporter }), "the burst", 120_000);

    const all = Array.from({ length: 1000 }, (_, i) => i);
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(joined.sort(compare)).toEqual(all);
    expect(counted.sort(compare)).toEqual(all);
    expect(observer.counts("finished")).toEqual({ Left: 1000, Right: 1000, Join: 1000, Up: 1000, Down: 1000, Count: 1000 });
    // the events really were in flight together
    expect(observer.maxRunning).toBeGreaterThan(2);
  });

  it("an endless message generator is pulled only as fast as the engine drains, and an AbortSignal stops the run", async () => {
    let pulled = 0;
    let generatorClosed = false;
    const release: Array<() => void> = [];
    const signals: AbortSignal[] = [];
    const adhesive = new Adhesive()
      .message("File Change", async function* () {
        try {
          for (let i = 0; ; i++) {
            pulled++;
            yield { file: `file-${i}` };
          }
        } finally {
          generatorClosed = true;
        }
      })
      .task("Process File", (ctx) => {
        signals.push(ctx.signal);
        return new Promise<void>((resolve) => {
          release.push(resolve);
          ctx.signal.addEventListener("abort", () => resolve());
        });
      });
    const controller = new AbortController();

    const run = outcome(adhesive.bpmnBuild(fixture("message-event.bpmn"), { maxEventsInFlight: 5, poolSize: 16, signal: controller.signal }));
    await until(() => release.length === 5, "five events in flight");
    await turns();
    // five instances are in flight: the sixth event has not even been pulled
    expect(pulled).toBe(5);
    expect(release.length).toBe(5);

    // each instance that ends lets exactly one more event in
    release[0]();
    release[1]();
    await until(() => release.length === 7, "two more events in flight");
    await turns();
    expect(pulled).toBe(7);
    expect(release.length).toBe(7);

    controller.abort();
    const error = await bounded(run, "the aborted run");
    expect(error).toBeInstanceOf(CancelledError);
    // the tasks in flight were cancelled, and the generator was closed
    expect(signals.slice(2).every((s) => s.aborted)).toBe(true);
    await until(() => generatorClosed, "the generator to be closed");
    const after = pulled;
    await turns();
    expect(pulled).toBe(after);
    // the engine takes nothing after it stopped: an event pulled now would be lost
    expect(pulled, "events pulled after the run was stopped").toBe(7);
  });

  it("a message callback that emits at once, when it is called, starts an instance with the initial data and the run ends", async () => {
    const seen: unknown[] = [];
    const adhesive = new Adhesive()
      .messageCallback("File Change", (_ctx, emit) => {
        // e.g. messages already queued when the source connects
        emit({ file: "queued.txt" });
        return nextTurn(5).then(() => emit({ file: "later.txt" }));
      })
      .task("Process File", (ctx) => {
        seen.push([(ctx.data.event as { file: string }).file, ctx.data.owner]);
        record(ctx);
      });

    const data = await bounded(adhesive.bpmnBuild(fixture("message-event.bpmn"), { initialData: { owner: "ops" } }), "the run");

    expect(seen.sort(compare)).toEqual([
      ["later.txt", "ops"],
      ["queued.txt", "ops"],
    ]);
    expect(executionCounts(data)).toEqual({ "Process File": 2 });
  });
});

