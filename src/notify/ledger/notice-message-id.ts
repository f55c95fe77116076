import { createHash } from 'node:crypto';

/**
 * The Message-ID of a notice: the same for the same (subject, kind, day) every time it is sent, so that
 * the rare repeat after a crash (sent, then killed before the ledger said so) can be recognised and
 * dropped by the receiving side. The domain is the sender's.
 */
export function noticeMessageId(from: string, subject: string, kind: string, day: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'tranche.invalid';
  const digest = createHash('sha256').update(`${subject}\n${kind}\n${day}`).digest('hex').slice(0, 32);
  return `<tranche.${kind}.${day}.${digest}@${domain}>`;
}
