/** A notice ready to go: rendered, addressed, with its deterministic Message-ID. */
export interface OutgoingNotice {
  /** '<…@…>' form; the same notice always has the same one, so a repeat can be recognised. */
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/**
 * A way to deliver notices (SMTP first). send() resolves once the medium has accepted the notice and
 * rejects with a TrancheError (retryable when a later try may work: connection trouble, 4xx replies).
 */
export interface NoticeChannel {
  send(notice: OutgoingNotice): Promise<void>;
  close(): Promise<void>;
}
