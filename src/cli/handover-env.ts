/*
 * The environment variable through which `adhesive serve` hands its claim of
 * a run to the `adhesive resume` it starts (JSON, a StoreHandover). Not
 * ADHESIVE_*: those are configuration keys, and an unknown one is refused.
 */
export const HANDOVER_ENV = "HANDOVER_ADHESIVE_RUN";
