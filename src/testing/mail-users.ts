import { generateCorpus, loadCorpus } from './corpus.js';
import type { DovecotServer, DovecotUser } from './dovecot.js';

/** COUNT fresh users of SERVER, each with MESSAGES generated messages in INBOX and Sent (seeds from SEED). */
export async function addMailUsers(
  server: DovecotServer,
  count: number,
  seed: number,
  messages: number,
): Promise<DovecotUser[]> {
  const users: DovecotUser[] = [];
  for (let i = 0; i < count; i++) {
    const user = await server.addUser();
    await loadCorpus(server, user, generateCorpus({ seed: seed + i, messages, folders: ['INBOX', 'Sent'] }));
    users.push(user);
  }
  return users;
}
