import { after, before } from 'node:test';
import { startDovecot, type DovecotServer } from './dovecot.js';

/** A source and a target Dovecot, there from before the tests of this file (or block) until after them. */
export interface DovecotPair {
  readonly source: DovecotServer;
  readonly target: DovecotServer;
}

/** Starts both servers before the tests around the call and stops them after (read them inside a test). */
export function dovecotPair(): DovecotPair {
  const pair = {} as { source: DovecotServer; target: DovecotServer };
  before(async () => {
    [pair.source, pair.target] = await Promise.all([startDovecot(), startDovecot()]);
  });
  after(async () => {
    await Promise.all([pair.source?.stop(), pair.target?.stop()]);
  });
  return pair;
}
