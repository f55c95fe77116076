import { setEndpointPause } from '../../state/endpoint-pause.js';
import { applyChange } from './apply-change.js';
import { emptyResult, type OperationInput, type OperationResult } from './operation.js';
import { refuseIf } from './refusal.js';
import { requireReason } from './mailbox-targets.js';

/** The endpoint NAME as it is, refused when unknown. */
async function endpointRow(
  input: OperationInput,
  name: string,
): Promise<{ pause_reason: string | null; pause_now: number }> {
  const row = await input.db
    .selectFrom('endpoint')
    .select(['pause_reason', 'pause_now'])
    .where('name', '=', name)
    .executeTakeFirst();
  refuseIf(row ? [] : [`unknown endpoint ${name}`]);
  return row!;
}

/**
 * `tranche endpoint pause NAME --reason TEXT [--now]`: no new step starts against the server; its
 * running steps finish, or with NOW stop at a safe point (their steps stay due for the resume).
 */
export async function pauseEndpoint(
  input: OperationInput,
  name: string,
  now: boolean,
): Promise<OperationResult> {
  const reason = requireReason(input);
  const before = await endpointRow(input, name);
  const result = emptyResult('endpoint.pause', [name], input.dryRun);
  result.summary.push(
    `endpoint ${name} paused: no new step starts`,
    now ? 'its running steps stop at a safe point' : 'its running steps finish',
  );
  const audit = [
    {
      actor: input.actor,
      action: 'endpoint.pause',
      subject: name,
      reason,
      // Whether running steps stop at once, in words only when they do (a plain pause lets them finish).
      before: { paused: before.pause_reason, ...(before.pause_now ? { stopsRunningSteps: true } : {}) },
      after: { paused: reason, ...(now ? { stopsRunningSteps: true } : {}) },
    },
  ];
  return applyChange(input, result, audit, async (tx) =>
    (await setEndpointPause(tx, name, reason, now)) ? 1 : 0,
  );
}

/** `tranche endpoint resume NAME`: steps start against the server again. */
export async function resumeEndpoint(input: OperationInput, name: string): Promise<OperationResult> {
  const before = await endpointRow(input, name);
  refuseIf(before.pause_reason === null ? [`endpoint ${name} is not paused`] : []);
  const result = emptyResult('endpoint.resume', [name], input.dryRun);
  result.summary.push(`endpoint ${name} resumed: steps start again`);
  const audit = [
    {
      actor: input.actor,
      action: 'endpoint.resume',
      subject: name,
      reason: input.reason ?? null,
      before: { paused: before.pause_reason },
      after: { paused: null },
    },
  ];
  return applyChange(input, result, audit, async (tx) =>
    (await setEndpointPause(tx, name, null, false)) ? 1 : 0,
  );
}
