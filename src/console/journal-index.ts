import { open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { crc32 } from "../journal/crc32.js";
import { CONSOLE_INDEX_FILE, writeRunFile } from "../runs/files.js";
import { restored, savedFields } from "./saved-fields.js";
import { DataTrail } from "./data-trail.js";
import { ElementTally } from "./element-tally.js";
import { InstanceTable } from "./instance-table.js";
import { JournalView } from "./journal-view.js";

/*
 * The console's read model of a long journal, kept beside it
 * (console-index.bin): the view's columns and the rest of what it holds,
 * with how far into the journal it read. A console that opens the run again
 * (another `adhesive ui`, or this one after it let the view go) reads this
 * and the journal's bytes after it, not the whole journal: a run of 100k
 * message events is 58 MB of JSON to parse, its index a few reads of
 * typed arrays.
 *
 * An index is used only for the journal it was made of: the same file
 * (inode), at least as long, with the same bytes at its start and just
 * before where it stopped (a journal a snapshot replaced is another file;
 * one written again is other bytes), and made by this code (its format and
 * the shape of the view's fields). Anything else and the journal is read
 * from its start, as without an index.
 */

/* a journal shorter than this is read whole faster than an index is written */
export const INDEX_MIN_BYTES = 4 * 1024 * 1024;
/* bytes compared at the journal's start and before where the index stopped */
const PROBE_BYTES = 4096;
/* raise it when what is saved changes meaning without changing its fields */
const FORMAT = 1;

/** Where the follower stood when the index was made. */
export interface IndexPosition {
  offset: number;
  ino: number;
  framed: boolean | undefined;
}

interface Saved {
  format: number;
  shape: string;
  position: IndexPosition;
  head: number;
  tail: number;
  view: Record<string, unknown>;
}

const PARTS = { instances: InstanceTable.prototype, data: DataTrail.prototype, tally: ElementTally.prototype } as const;
type Part = keyof typeof PARTS;

/** The index of `journal` in `folder`, when it is one for that journal as it is now. */
export async function loadIndex(folder: string, journal: string, ino: number, size: number): Promise<{ view: JournalView; position: IndexPosition } | undefined> {
  let saved: Saved;
  try {
    saved = deserialize(await readFile(join(folder, CONSOLE_INDEX_FILE))) as Saved;
  } catch {
    return undefined;
  }
  if (saved?.format !== FORMAT || saved.shape !== shape() || saved.position.ino !== ino || saved.position.offset > size) return undefined;
  const probes = await probe(journal, saved.position.offset).catch(() => undefined);
  if (probes === undefined || probes.head !== saved.head || probes.tail !== saved.tail) return undefined;
  try {
    return { view: fromSaved(saved.view), position: saved.position };
  } catch {
    return undefined;
  }
}

/** Writes the index of `view`, read up to `position` of `journal`, beside it (aside, then renamed: a reader never sees half of one). */
export async function saveIndex(folder: string, journal: string, view: JournalView, position: IndexPosition): Promise<void> {
  // taken now: the view reads on while the journal's bytes are looked at
  const fields = savedView(view);
  const { head, tail } = await probe(journal, position.offset);
  const saved: Saved = { format: FORMAT, shape: shape(), position, head, tail, view: fields };
  await writeRunFile(folder, CONSOLE_INDEX_FILE, serialize(saved));
}

/* the checksums of the journal's first bytes and of those before `offset` */
async function probe(journal: string, offset: number): Promise<{ head: number; tail: number }> {
  const handle = await open(journal, "r");
  try {
    const bytes = Buffer.alloc(Math.min(PROBE_BYTES, offset));
    await handle.read(bytes, 0, bytes.length, 0);
    const head = crc32(bytes);
    await handle.read(bytes, 0, bytes.length, offset - bytes.length);
    return { head, tail: crc32(bytes) };
  } finally {
    await handle.close();
  }
}

function savedView(view: JournalView): Record<string, unknown> {
  const fields = savedFields(view);
  for (const part of Object.keys(PARTS) as Part[]) fields[part] = savedFields(fields[part] as object);
  return fields;
}

function fromSaved(fields: Record<string, unknown>): JournalView {
  const parts: Record<string, unknown> = {};
  for (const part of Object.keys(PARTS) as Part[]) parts[part] = restored(PARTS[part], fields[part] as Record<string, unknown>);
  return restored(JournalView.prototype, { ...fields, ...parts });
}

let knownShape: string | undefined;

/* the names of the view's fields and of its parts', with each column's type: an index of a view this code does not hold is not read */
function shape(): string {
  if (knownShape !== undefined) return knownShape;
  const fields = savedView(new JournalView({ t: "run", run: "", at: 0 }));
  const described = (object: Record<string, unknown>) =>
    Object.entries(object)
      .map(([key, value]) => `${key}:${value !== null && typeof value === "object" && "column" in value ? (value.column as object).constructor.name : ""}`)
      .join(",");
  knownShape = [described(fields), ...(Object.keys(PARTS) as Part[]).map((part) => described(fields[part] as Record<string, unknown>))].join(";");
  return knownShape;
}
