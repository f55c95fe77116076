import type { MailboxDetail } from '../report/mailbox-detail.js';
import type { MailboxNotice } from '../report/mailbox-notices.js';

/**
 * A mailbox's move in a few plain sentences, for the helpdesk on the phone: when, whether it worked,
 * and if not why and what happens next. Built from the report's fields only.
 */
export function explainMailbox(m: MailboxDetail, notices: readonly MailboxNotice[]): string[] {
  const lines: string[] = [];
  // Set aside by people: that is the first thing the helpdesk must say.
  if (m.excludedReason !== null)
    lines.push(`Excluded from the programme (“${m.excludedReason}”): it is not moved by tranche.`);
  else if (m.heldReason !== null)
    lines.push(`On hold (“${m.heldReason}”): no step starts and no notice goes until it is released.`);
  const told = notices.find((n) => (n.kind === 'warning' || n.kind === 'rescheduled') && n.state === 'sent');
  switch (m.state) {
    case 'imported':
      lines.push('Not planned yet: the mailbox has no moving day.');
      break;
    case 'scheduled':
      lines.push(`Planned to move on ${m.batchDay ?? '?'}; nothing has been copied yet.`);
      break;
    case 'prestaged':
      lines.push(
        `Planned to move on ${m.batchDay ?? '?'}; the mail${m.kinds.calendars ? ', calendars and contacts are' : ' is'} being copied ahead of the day (${copiedSoFar(m)} so far).`,
      );
      break;
    case 'cutover':
      lines.push(`Moving today (${m.batchDay ?? '?'}): the last copy and the check are under way.`);
      break;
    case 'done':
      lines.push(
        `Moved on ${m.doneAt?.slice(0, 10) ?? m.batchDay ?? '?'}: every message${m.kinds.calendars ? ', calendar item and contact' : ''} was copied and checked.`,
      );
      break;
    case 'failed':
      lines.push(
        `The move failed: ${m.lastFailure?.label ?? 'no reason recorded'}${m.lastFailure?.reason ? ` (“${m.lastFailure.reason}”)` : ''}. Once the cause is fixed it can be retried (the Retry action here, or \`tranche mailbox retry\`).`,
      );
      break;
    default:
      lines.push(`State: ${m.state}.`);
  }
  if (m.waitingFor && m.state !== 'failed' && m.state !== 'done')
    lines.push(
      `The new server takes only so much mail per mailbox a day: today's share is used up, so the copy paused and goes on by itself${m.nextDueAt ? ` from ${m.nextDueAt.slice(0, 16).replace('T', ' ')}` : ''} (${m.waitingFor}).`,
    );
  if (m.state !== 'failed' && m.lastFailure && m.attempts > 0)
    lines.push(
      `The last attempt hit a problem (${m.lastFailure.label}); it is tried again automatically (${m.attempts} failed attempt${m.attempts === 1 ? '' : 's'} so far).`,
    );
  if (m.skippedTotal > 0)
    lines.push(
      `${m.skippedTotal} ${m.kinds.calendars ? 'item' : 'message'}${m.skippedTotal === 1 ? ' was' : 's were'} not copied because the new server refused ${m.skippedTotal === 1 ? 'it' : 'them'} (see the skipped items).`,
    );
  if (m.batchDay)
    lines.push(
      told
        ? `The user was told about the day on ${told.sentAt?.slice(0, 10) ?? told.day}.`
        : m.toldDay
          ? `The user was told about ${m.toldDay}.`
          : 'The user has not been told about the day yet.',
    );
  return lines;
}

/** What has been copied, per kind: messages, and calendar items and contacts when they move. */
function copiedSoFar(m: MailboxDetail): string {
  const mail = `${m.copiedMessages} messages`;
  if (!m.kinds.calendars || !m.kinds.contacts) return mail;
  return `${mail}, ${m.kinds.calendars.copied} calendar items, ${m.kinds.contacts.copied} contacts`;
}
