// The mailbox row's states are typed where the row is owned (src/state/mailbox/); the programme reads them from here.
export { MAILBOX_STATES, type LifecycleStep, type MailboxState } from '../../state/mailbox/mailbox-states.js';
