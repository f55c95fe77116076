// The one place tranche reads process.env: every variable it knows, with its meaning. Parts take an
// `Environment` value (tests hand in their own) instead of reading the process's.

/** Every environment variable tranche reads, and what it means (docs/configuration.md, "Environment"). */
export const ENVIRONMENT_VARIABLES = {
  TRANCHE_PROGRAMME: 'the programme directory when --programme is not given',
  TRANCHE_DB: 'the state store, over `state` in tranche.yaml',
  TRANCHE_HOME: 'where `tranche sync` keeps its state store by default (else ~/.tranche)',
  TRANCHE_SECRET_KEY: 'the secret key (64 hex digits or base64 of 32 bytes), over the key file',
  TRANCHE_SMTP_PASSWORD: 'the SMTP password when notices.smtp.passwordFile is not given',
  TRANCHE_ENDPOINT_PASSWORD:
    'the admin password for `tranche endpoint add|set` without --admin-password-file',
  TRANCHE_SOURCE_PASSWORD: "the source side's password for `tranche sync|verify`",
  TRANCHE_TARGET_PASSWORD: "the target side's password for `tranche sync|verify`",
  TRANCHE_LOG_LEVEL: 'the log level (default warn)',
  TRANCHE_SOURCE_CLIENT_SECRET:
    "the source side's OAuth2 client secret for `tranche sync|verify` without --source-client-secret-file",
  TRANCHE_TARGET_CLIENT_SECRET:
    "the target side's OAuth2 client secret for `tranche sync|verify` without --target-client-secret-file",
  TRANCHE_ENDPOINT_CLIENT_SECRET:
    "an endpoint's OAuth2 client secret for `tranche endpoint add|set` without --client-secret-file",
} as const;

/** The name of an environment variable tranche reads. */
export type EnvironmentVariable = keyof typeof ENVIRONMENT_VARIABLES;

/** The variables tranche reads, as given to a part (the process's, or a test's own). */
export type Environment = Readonly<Partial<Record<EnvironmentVariable, string>>>;

/** The process's environment, read here and nowhere else. */
export function processEnvironment(): Environment {
  return process.env;
}

/** The value of NAME, an empty value counting as unset. */
export function readEnvironment(
  name: EnvironmentVariable,
  env: Environment = processEnvironment(),
): string | undefined {
  return env[name] || undefined;
}

/**
 * The environment a command tranche runs for the user (a token command) gets: the process's whole
 * environment, as a shell would pass it, plus EXTRA.
 */
export function childEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}
