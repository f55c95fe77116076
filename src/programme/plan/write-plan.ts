// The plan's row writes are the mailbox row's owner's (src/state/mailbox/); the planner names them here.
export { writePlan, type Change, type PlanChanges } from '../../state/mailbox/write-plan-rows.js';
