/* A terminal for terminalUi made of streams: exact keys in, the screen as text out. */
import { PassThrough, Writable } from "node:stream";
import { stripVTControlCharacters } from "node:util";
import { terminalUi } from "../../src/index.js";
import { until } from "./tmux.js";

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
  return {
    ui: terminalUi({ input, output, color: false }),
    input,
    screen,
    /** types keys once `text` is on the screen, i.e. once that prompt listens */
    async answer(text: string, keys: string): Promise<void> {
      await until(() => screen().includes(text), `"${text}"`, screen);
      input.write(keys);
    },
  };
}

