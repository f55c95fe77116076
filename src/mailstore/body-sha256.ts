import { createHash } from 'node:crypto';
import type { MessageBody } from './message-body.js';

/** SHA-256 of a body's bytes, hex: how messages are matched by content (after a crash, in verify). */
export function bodySha256(body: MessageBody): string {
  const hash = createHash('sha256');
  for (const chunk of body) hash.update(chunk);
  return hash.digest('hex');
}
