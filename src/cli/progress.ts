import { formatBytes, formatCount } from './format.js';

/** A one-line progress display on a terminal's stderr; does nothing when stderr is not a TTY. */
export class ProgressLine {
  readonly #enabled: boolean;
  #messages = 0;
  #bytes = 0;
  #folder = '';
  #lastDraw = 0;
  readonly #started = Date.now();

  constructor(enabled: boolean) {
    this.#enabled = enabled && process.stderr.isTTY === true;
  }

  /** Records progress and redraws at most four times a second. */
  update(event: { folder: string; bytes: number; messages: number }): void {
    if (!this.#enabled) return;
    this.#folder = event.folder;
    this.#messages += event.messages;
    this.#bytes += event.bytes;
    const now = Date.now();
    if (now - this.#lastDraw < 250) return;
    this.#lastDraw = now;
    const rate = this.#messages / Math.max(0.001, (now - this.#started) / 1000);
    const line = `${this.#folder}: ${formatCount(this.#messages)} messages, ${formatBytes(this.#bytes)}, ${rate.toFixed(0)} msg/s`;
    process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns || 80) - 1)}`);
  }

  /** Clears the line before the summary is printed. */
  done(): void {
    if (this.#enabled) process.stderr.write('\r\x1b[2K');
  }
}
