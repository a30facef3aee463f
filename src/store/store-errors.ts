import { AdhesiveError } from "../errors.js";

export const STORE_URL_FORM = "a store is written redis://[user:password@]host[:port][/db] (rediss:// for TLS), for example redis://127.0.0.1:6379/0";

/** `--store` or the `store` key holds no Redis URL adhesive can use. */
export class StoreUrlError extends AdhesiveError {
  readonly url: string;
  /** what is wrong, completing "the URL ..." */
  readonly reason: string;

  constructor(url: string, reason: string) {
    super("ADHESIVE_STORE_URL", `store ${JSON.stringify(url)} ${reason}; ${STORE_URL_FORM}`);
    this.url = url;
    this.reason = reason;
  }
}

/** The store's Redis server did not answer within the connect timeout, refused the connection or the password. */
export class StoreUnreachableError extends AdhesiveError {
  readonly url: string;

  constructor(url: string, reason: string, options?: { cause?: unknown }) {
    super("ADHESIVE_STORE_UNREACHABLE", `store ${url}: ${reason}`, options);
    this.url = url;
  }
}

/**
 * The Redis server answers but is set up so that it may lose what adhesive
 * writes: it evicts keys when its memory is full. A journal entry or a
 * job's result evicted is a completion lost.
 */
export class StoreSetupError extends AdhesiveError {
  readonly url: string;

  constructor(url: string, reason: string) {
    super("ADHESIVE_STORE_SETUP", `store ${url}: ${reason}`);
    this.url = url;
  }
}

/**
 * A remote task's job that a worker was asked to stop: the orchestrator no
 * longer waits for it (a boundary event interrupted the task, the run was
 * cancelled). Its job fails with this; nobody records it.
 */
export class JobCancelledError extends AdhesiveError {
  readonly jobId: string;

  constructor(jobId: string, reason: string) {
    super("ADHESIVE_JOB_CANCELLED", `job ${jobId} was cancelled: ${reason}`);
    this.jobId = jobId;
  }
}
