import type { CommandPart } from '../mailstore/imap/wire/command.js';
import type { RawResponse } from '../mailstore/imap/wire/response-reader.js';
import {
  completionError,
  type Completion,
  type WireConnection,
} from '../mailstore/imap/wire/wire-connection.js';
import type { CommandName } from './figures.js';
import type { SoakRecorder } from './soak-recorder.js';

/**
 * Times the commands of one action. The first is timed from when the action was due, not from when
 * it could be sent: time spent waiting behind a slow server (or a busy connection) is the user's wait
 * too, and leaving it out is coordinated omission. Each later command is timed from its sending.
 */
export class CommandTimer {
  readonly #recorder: SoakRecorder;
  readonly #now: () => number;
  #dueMs: number | undefined;

  constructor(recorder: SoakRecorder, now: () => number, dueMs: number) {
    this.#recorder = recorder;
    this.#now = now;
    this.#dueMs = dueMs;
  }

  /** When the next command counts from: the action's due time, once, then now. */
  #start(): number {
    const start = this.#dueMs ?? this.#now();
    this.#dueMs = undefined;
    return start;
  }

  /** Runs PARTS on WIRE and records its latency; a NO, BAD or lost connection is an error, thrown. */
  async run(
    name: CommandName,
    wire: WireConnection,
    parts: CommandPart[],
    onUntagged?: (response: RawResponse) => void,
  ): Promise<Completion> {
    return this.time(name, async () => {
      const completion = await wire.send(parts, onUntagged).done;
      if (completion.status !== 'OK') throw completionError(parts, completion);
      return completion;
    });
  }

  /** Times any piece of work as command NAME (a login: connect, greeting and LOGIN together). */
  async time<T>(name: CommandName, work: () => Promise<T>): Promise<T> {
    const start = this.#start();
    try {
      const result = await work();
      this.#recorder.command(name, start, this.#now() - start, true);
      return result;
    } catch (error) {
      this.#recorder.command(name, start, this.#now() - start, false);
      throw error;
    }
  }
}
