import { userInfo } from 'node:os';
import { Command } from 'commander';
import { openProgramme } from './open-programme.js';
import { rotateSecretKey } from '../state/secrets/rotate-secret-key.js';
import { addProgrammeOption } from './programme-option.js';

/** `tranche secrets rotate`: a new secret key, every stored secret re-sealed with it. */
export function secretsCommand(): Command {
  const secrets = new Command('secrets').description('manage the key that encrypts stored secrets');
  const rotate = new Command('rotate')
    .description(
      'replace the secret key and re-encrypt every stored secret (crash-safe: run again to finish; running processes follow the new key)',
    )
    .action(async (flags: { programme: string }) => {
      const programme = await openProgramme(flags.programme);
      try {
        // The audit entry is written by the rotation, in the transaction that re-seals the secrets.
        const result = await rotateSecretKey(programme.db, programme.config.secretKeyFile, {
          actor: userInfo().username,
        });
        const kept = result.retiredFile
          ? `; the old key is kept in ${result.retiredFile} (delete it once backups hold the new one)`
          : '';
        process.stdout.write(
          `secret key rotated: ${result.from} -> ${result.to}, ${result.resealed} secret(s) re-encrypted${kept}\n`,
        );
      } finally {
        await programme.db.destroy();
      }
    });
  secrets.addCommand(addProgrammeOption(rotate));
  return secrets;
}
