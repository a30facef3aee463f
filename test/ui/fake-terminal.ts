/* A terminal for terminalUi made of streams: exact keys in, the screen as text out. */
import { PassThrough, Writable } from "node:stream";
import { stripVTControlCharacters } from "node:util";
import { terminalUi } from "../../src/index.js";
import { until } from "./tmux.js";

const ERASE_LINE = "\u001b[2K";

/** A keyboard and a screen that are not a TTY, for terminalUi. */
export function fakeTerminal() {
  const input = new PassThrough();
  let written = "";
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      written += chunk.toString();
      callback();
    },
  });
  const screen = () => stripVTControlCharacters(written);
  // a form is drawn again after each key: erased line by line, then written whole
  const drawing = () => stripVTControlCharacters(written.slice(written.lastIndexOf(ERASE_LINE)));
  return {
    ui: terminalUi({ input, output, color: false }),
    input,
    /** everything written, each drawing of a form after the one before */
    screen,
    /** the form as it is drawn now */
    drawing,
    /** types keys once the form as drawn now shows `text`, i.e. once the keys before have been read */
    async answer(text: string, keys: string): Promise<void> {
      await until(() => drawing().includes(text), `"${text}"`, drawing);
      input.write(keys);
    },
  };
}

