import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { TrancheError } from '../errors/tranche-error.js';
import { CONFIG_FILE, configTemplate, loadConfig } from '../programme/config/config.js';
import { openStateStore } from '../state/open-state-store.js';
import { isPostgresUrl } from '../state/store-kind.js';
import { generateSecretKey, writeSecretKey } from '../state/secrets/secret-key.js';
import { readEnvironment } from '../environment/environment.js';

interface InitFlags {
  name?: string;
  db?: string;
}

/** A postgres:// URL without its password, and the password it held (undefined: none). */
function withoutPassword(state: string): { url: string; password: string | undefined } {
  if (!isPostgresUrl(state)) return { url: state, password: undefined };
  const url = new URL(state);
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  url.password = '';
  return { url: url.toString(), password };
}

/** `tranche init [DIR]`: a new programme directory with its configuration, secret key and state store. */
export function initCommand(): Command {
  return new Command('init')
    .description('create a programme: DIR/tranche.yaml, a secret key (mode 0600) and the state store')
    .argument('[dir]', 'the programme directory (created when missing)', '.')
    .option('--name <name>', 'the programme name shown in reports (default: the directory name)')
    .option('--db <url>', 'keep state in PostgreSQL (postgres://…) instead of DIR/state.sqlite')
    .action(async (dir: string, flags: InitFlags) => {
      const root = resolve(dir);
      if (existsSync(join(root, CONFIG_FILE))) {
        throw new TrancheError('usage', `${join(root, CONFIG_FILE)} exists: ${root} is a programme already`);
      }
      // 0700 and 0600 whatever the umask: the directory holds the secret key and the state.
      mkdirSync(root, { recursive: true, mode: 0o700 });
      const name = flags.name ?? (root.split('/').pop() || 'programme');
      const db = flags.db ? withoutPassword(flags.db) : undefined;
      writeFileSync(join(root, CONFIG_FILE), configTemplate(name, db?.url), { flag: 'wx', mode: 0o600 });
      if (db?.password !== undefined) {
        process.stderr.write(
          'tranche init: warning: the password in --db is not written to tranche.yaml; give it to every command by PGPASSWORD or ~/.pgpass (and keep it off command lines: they show in process lists and shell history)\n',
        );
      }
      const loaded = loadConfig(root);
      // This first connection may use the password given; none is kept.
      const config =
        db?.password !== undefined && !readEnvironment('TRANCHE_DB')
          ? { ...loaded, state: flags.db! }
          : loaded;
      const created = [join(root, CONFIG_FILE)];
      if (readEnvironment('TRANCHE_SECRET_KEY')) {
        created.push('(secret key: TRANCHE_SECRET_KEY from the environment; no key file written)');
      } else if (!existsSync(config.secretKeyFile)) {
        writeSecretKey(config.secretKeyFile, generateSecretKey());
        created.push(
          `${config.secretKeyFile} (mode 0600: back it up; without it stored passwords cannot be read)`,
        );
      }
      const store = await openStateStore(config.state);
      await store.destroy();
      created.push(
        isPostgresUrl(config.state) ? `state store at ${new URL(config.state).host}` : config.state,
      );
      process.stdout.write(
        `tranche init: programme '${name}' created\n${created.map((c) => `  ${c}`).join('\n')}\n`,
      );
    });
}
