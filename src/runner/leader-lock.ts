import pg from 'pg';

/** The advisory lock whose holder carries a programme's scheduling duties. */
const LEADER_KEY = 7_310_000;

/**
 * Leadership among the workers of a programme: a session-level advisory lock on a connection of its
 * own. PostgreSQL frees it the moment that connection ends (a worker stopped, killed, or cut off), so
 * another worker takes the duties over on its next try; at no moment do two workers hold it.
 */
export class LeaderLock {
  readonly #url: string;
  #client: pg.Client | undefined;
  #held = false;

  constructor(url: string) {
    this.#url = url;
  }

  /** Whether this worker leads now. */
  get held(): boolean {
    return this.#held;
  }

  /** Takes the lead when nobody holds it; true while this worker leads. */
  async tryAcquire(): Promise<boolean> {
    if (this.#held) return true;
    if (!this.#client) {
      const client = new pg.Client({ connectionString: this.#url, application_name: 'tranche leader' });
      // A lost connection is lost leadership (the server has freed the lock with it).
      const lost = (): void => {
        this.#held = false;
        if (this.#client === client) this.#client = undefined;
      };
      client.on('error', lost);
      client.on('end', lost);
      await client.connect();
      this.#client = client;
    }
    const result = await this.#client.query<{ won: boolean }>('select pg_try_advisory_lock($1) as won', [
      LEADER_KEY,
    ]);
    this.#held = result.rows[0]?.won === true;
    return this.#held;
  }

  /** Gives the lead up (by closing its connection). */
  async release(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    this.#held = false;
    await client?.end().catch(() => undefined);
  }
}
