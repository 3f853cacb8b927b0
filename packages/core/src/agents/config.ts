import { z } from 'zod';
import { WeftError } from '../errors.js';
import { retrySchema } from '../spec/schema/common.js';
import { parseDuration } from '../util/duration.js';

const duration = z.unknown().transform((value, ctx) => {
  try {
    return parseDuration(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/** `pricing:` of an agent: what a million prompt (input) and completion (output) tokens cost. */
export const pricingSchema = z.strictObject({
  input_per_million: z.number().nonnegative(),
  output_per_million: z.number().nonnegative(),
  /** Shown beside the amount; default none (the unit is whatever the prices are in). */
  currency: z.string().min(1).optional(),
});

export type Pricing = z.output<typeof pricingSchema>;

/** One entry of `agents:` in weft.config.yaml (docs/agents.md). */
export const agentSettingSchema = z.strictObject({
  type: z.enum(['openai', 'jsonrpc', 'a2a', 'command']),
  /** openai: the Chat Completions base URL (`.../v1`); jsonrpc: the endpoint; a2a: where its agent card is. */
  base_url: z.string().min(1).optional(),
  url: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  /** Literal key, or `${ secrets.NAME }`; never logged or stored. */
  api_key: z.string().min(1).optional(),
  /** Name of an environment variable holding the key. */
  api_key_env: z.string().min(1).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  /** jsonrpc: the method called (default `agent.invoke`). */
  method: z.string().min(1).optional(),
  /** command: argv; `{prompt}` in an argument is replaced by the prompt. */
  command: z.array(z.string().min(1)).min(1).optional(),
  /** command: what goes to stdin: `prompt` (default), `json` ({ prompt, inputs }), `none`. */
  stdin: z.enum(['prompt', 'json', 'none']).optional(),
  /** command: stdout read as `text` (default) or `json`. */
  output: z.enum(['text', 'json']).optional(),
  env: z.record(z.string(), z.string()).optional(),
  system: z.string().optional(),
  tools: z.array(z.string().min(1)).optional(),
  max_concurrency: z.number().int().positive().optional(),
  timeout: duration.optional(),
  /** The retry policy of its steps that set none (SPEC section 4 shape). */
  retry: retrySchema.optional(),
  temperature: z.number().optional(),
  /** openai: ask for a streamed answer; its text arrives as `step.progress` events. */
  stream: z.boolean().optional(),
  /** Prices per million tokens: the cost of each invocation is recorded beside its tokens. */
  pricing: pricingSchema.optional(),
  /** a2a: the agent card's path (default `/.well-known/agent-card.json`). */
  card_path: z.string().min(1).optional(),
  /** a2a: how often a task that is still working is asked for again (default 500ms). */
  poll_interval: duration.optional(),
  /** a2a: what a task in `input-required` waits for: an `event` (default), an `approval`, or nothing (`fail`). */
  on_input_required: z.enum(['event', 'approval', 'fail']).optional(),
  /** a2a: the CloudEvent type that answers (default `agent.input`). */
  input_event: z.string().min(1).optional(),
  /** a2a: how long a question waits for its answer (default: no limit). */
  input_timeout: duration.optional(),
});

export type AgentSetting = z.output<typeof agentSettingSchema>;

/** What `registerAgent` takes: the same, but `timeout` may also be ms (a setting loadConfig parsed). */
export const registrySettingSchema = agentSettingSchema.extend({
  timeout: z.union([z.number().positive(), duration]).optional(),
  poll_interval: z.union([z.number().positive(), duration]).optional(),
  input_timeout: z.union([z.number().positive(), duration]).optional(),
});

/** `agents: { <name>: {...} }`. */
export const agentsSetting = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'expected a name like reviewer'),
  agentSettingSchema,
);

const SECRET_REF = /^\$\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}$/;

/** The API key of a setting: `${ secrets.X }`, `api_key_env`, or literal; undefined when none. */
export function resolveApiKey(
  name: string,
  setting: AgentSetting,
  secrets: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  if (setting.api_key !== undefined) return resolveRef(name, 'api_key', setting.api_key, secrets);
  if (setting.api_key_env !== undefined) {
    const value = env[setting.api_key_env];
    if (value === undefined) {
      throw new WeftError(
        'invalid_config',
        `agent '${name}': api_key_env names '${setting.api_key_env}', which is not set`,
      );
    }
    return value;
  }
  return undefined;
}

/**
 * A setting that may be `${ secrets.NAME }` (the `secrets:` section or `WEFT_SECRET_NAME`): its
 * value; any other text as it is. A secret that is not set is `invalid_config`.
 */
export function resolveRef<T extends string | undefined>(
  name: string,
  field: string,
  value: T,
  secrets: Readonly<Record<string, string>>,
): T {
  if (value === undefined) return value;
  const ref = SECRET_REF.exec(value);
  if (!ref) return value;
  const resolved = secrets[ref[1]!];
  if (resolved === undefined) {
    throw new WeftError(
      'invalid_config',
      `agent '${name}': ${field} names secret '${ref[1]}', which is not set`,
    );
  }
  return resolved as T;
}

/** An error text with the key cut out: some servers echo the key they refused. */
export function scrub(text: string, apiKey: string | undefined): string {
  return apiKey && apiKey.length >= 3 ? text.replaceAll(apiKey, '***') : text;
}

/** Checks that a URL setting is an http(s) URL. */
export function requireUrl(name: string, field: string, value: string | undefined): URL {
  if (value === undefined) throw new WeftError('invalid_config', `agent '${name}': ${field} is required`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new WeftError('invalid_config', `agent '${name}': ${field} '${value}' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WeftError('invalid_config', `agent '${name}': ${field} must be http(s), got '${value}'`);
  }
  return url;
}
