/** The Message-ID marker of every message a soak appends: how the clean-up finds its own. */
export function soakMarker(runId: string): string {
  return `tranche-soak.${runId}`;
}

const WORDS =
  'the quarterly figures meeting agenda notes please find attached draft review thanks regards'.split(' ');

/**
 * A plain-text message of about SIZE bytes with a Message-ID that names the run, so that the
 * messages a soak appends can be told from the account's own and removed at the end.
 */
export function soakMessage(runId: string, sequence: number, size: number, to: string): Buffer {
  const head = [
    `From: Soak Test <soak@tranche.invalid>`,
    `To: <${to}>`,
    `Subject: tranche soak ${runId} message ${sequence}`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${soakMarker(runId)}.${sequence}@tranche.invalid>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    '',
  ].join('\r\n');
  const lines: string[] = [];
  let length = head.length;
  let i = sequence;
  while (length < size) {
    let line = '';
    while (line.length < 70) line += `${WORDS[i++ % WORDS.length]} `;
    lines.push(line.trimEnd());
    length += line.length + 1;
  }
  return Buffer.from(head + lines.join('\r\n') + '\r\n', 'ascii');
}
