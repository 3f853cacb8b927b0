/** The environment variables that set each setting; values are raw, validated like the file's. */
export const ENV_VARS = {
  store: 'WEFT_STORE',
  lease: 'WEFT_LEASE',
  max_pause: 'WEFT_MAX_PAUSE',
  dlq_retention: 'WEFT_DLQ_RETENTION',
  log_level: 'WEFT_LOG_LEVEL',
  skills: 'WEFT_SKILLS',
  redis: 'WEFT_REDIS',
  circuit_breakers: 'WEFT_CIRCUIT_BREAKERS',
  limits: 'WEFT_LIMITS',
  hook_timeout: 'WEFT_HOOK_TIMEOUT',
  notifications: 'WEFT_NOTIFICATIONS',
} as const;

/** Settings that are mappings: their variable holds JSON. */
const JSON_SETTINGS: ReadonlySet<string> = new Set(['circuit_breakers', 'limits', 'notifications']);

export const SECRET_PREFIX = 'WEFT_SECRET_';

/** Raw settings taken from `WEFT_*` variables; empty variables count as unset. */
export function readEnvSettings(env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const [setting, name] of Object.entries(ENV_VARS)) {
    const value = env[name]?.trim();
    if (!value) continue;
    settings[setting] =
      setting === 'skills'
        ? value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : JSON_SETTINGS.has(setting)
          ? jsonOrText(value)
          : value;
  }
  const secrets: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith(SECRET_PREFIX) && name.length > SECRET_PREFIX.length && value !== undefined) {
      secrets[name.slice(SECRET_PREFIX.length)] = value;
    }
  }
  if (Object.keys(secrets).length > 0) settings.secrets = secrets;
  return settings;
}

/** The variable a setting path came from, for messages: `WEFT_LEASE`, `WEFT_SECRET_TOKEN`. */
export function envVarFor(path: readonly PropertyKey[]): string {
  const [setting, key] = path;
  if (setting === 'secrets' && typeof key === 'string') return `${SECRET_PREFIX}${key}`;
  return ENV_VARS[setting as keyof typeof ENV_VARS] ?? String(setting);
}

/** JSON text as its value; anything else stays text, and the schema says what was expected. */
function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
