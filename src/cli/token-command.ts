import { Command, Option } from 'commander';
import { openProgramme } from './open-programme.js';
import { createToken, listTokens, revokeToken } from '../serve/auth/api-tokens.js';
import { ROLES, type Role } from '../serve/auth/role.js';
import { addProgrammeOption } from './programme-option.js';
import { cliAuditEntry } from './record-cli-action.js';
import { recordAudit } from '../state/audit/record-audit.js';

const moment = (iso: string | null): string => (iso === null ? '-' : iso.slice(0, 16).replace('T', ' '));

/** Opens the programme for one token command and closes it after. */
async function withProgramme(
  dir: string,
  work: (p: Awaited<ReturnType<typeof openProgramme>>) => Promise<void>,
): Promise<void> {
  const programme = await openProgramme(dir);
  try {
    await work(programme);
  } finally {
    await programme.db.destroy();
  }
}

/** `tranche token create|list|revoke`: who may use `tranche serve`. Tokens are shown once, stored hashed. */
export function tokenCommand(): Command {
  const token = new Command('token').description('access tokens for tranche serve: create, list, revoke');

  const create = new Command('create')
    .description('make a token and print it on stdout, once: only its SHA-256 is kept')
    .addOption(
      new Option('--role <role>', 'what the token may open').choices([...ROLES]).makeOptionMandatory(),
    )
    .option('--org <code...>', 'with --role org-admin: the organisations it may see (one or more)')
    .option('--name <label>', 'who or what holds it, for tranche token list', '')
    .action(async (flags: { role: Role; org?: string[]; name: string; programme: string }) => {
      await withProgramme(flags.programme, async ({ db }) => {
        // The token and its audit entry in one transaction: both or neither.
        const made = await db.transaction().execute(async (tx) => {
          const token = await createToken(
            tx,
            { role: flags.role, organisations: flags.org ?? [], name: flags.name || flags.role },
            new Date(),
          );
          await recordAudit(tx, [
            cliAuditEntry('token.create', token.id, {
              role: flags.role,
              organisations: flags.org ?? [],
              name: flags.name || flags.role,
            }),
          ]);
          return token;
        });
        process.stdout.write(`${made.token}\n`);
        process.stderr.write(
          `tranche: token ${made.id} (${flags.role}) created; it is shown this once — keep it now\n`,
        );
      });
    });

  const list = new Command('list')
    .description('every token: id, name, role, organisations, created, last used, revoked (never the token)')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean; programme: string }) => {
      await withProgramme(flags.programme, async ({ db }) => {
        const tokens = await listTokens(db);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(tokens, null, 2)}\n`);
          return;
        }
        const lines = tokens.map((t) =>
          [
            t.id,
            t.name,
            t.role,
            t.organisations.join(';') || '-',
            `created ${moment(t.createdAt)}`,
            `last used ${moment(t.lastUsedAt)}`,
            ...(t.revokedAt ? [`revoked ${moment(t.revokedAt)}`] : []),
          ].join('  '),
        );
        process.stdout.write(
          `${lines.length ? lines.join('\n') : 'no tokens yet: tranche token create --role admin'}\n`,
        );
      });
    });

  const revoke = new Command('revoke')
    .description('revoke a token at once (its dashboard sessions end too)')
    .argument('<id>', 'the token id, from tranche token list')
    .action(async (id: string, flags: { programme: string }) => {
      await withProgramme(flags.programme, async ({ db }) => {
        await revokeToken(db, id, new Date(), cliAuditEntry('token.revoke', id, { revoked: true }));
        process.stdout.write(`revoked ${id}\n`);
      });
    });

  for (const sub of [create, list, revoke]) token.addCommand(addProgrammeOption(sub));
  return token;
}
