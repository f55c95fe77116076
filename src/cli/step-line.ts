/** One line per finished step, as `tranche run` and `tranche worker` print them. */
export function stepLine(at: Date, step: string, result: string, mailbox: string): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')}  ${step.padEnd(8)} ${result.padEnd(11)} ${mailbox}\n`;
}
