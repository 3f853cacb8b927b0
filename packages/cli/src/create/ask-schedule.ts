import type { Validation } from './prompt-set.js';
import type { WizardSession } from './session.js';

/** A cron schedule for the new workflow, made with `weft schedules create` or by the wizard. */
export interface ScheduleDraft {
  cron: string;
  tz: string;
  /** The input of each scheduled run; absent when the workflow takes none. */
  input?: unknown;
}

/** Asks whether to run the workflow on a cron schedule, and which; undefined for none. */
export async function askSchedule(
  session: WizardSession,
  takesInput: boolean,
): Promise<ScheduleDraft | undefined> {
  const { prompts, core } = session;
  if (!(await prompts.confirm({ message: 'Run it on a schedule (cron)?', default: false }))) return undefined;
  const cron = (
    await prompts.input({
      message: 'Cron expression (5 fields, or 6 with seconds first; e.g. 0 9 * * 1-5)',
      required: true,
      validate: (value) => checked(() => core.compileCron(value, 'UTC')),
    })
  ).trim();
  const tz = core.checkTimeZone(
    (
      await prompts.input({
        message: 'Time zone (IANA)',
        default: Intl.DateTimeFormat().resolvedOptions().timeZone,
        validate: (value) => checked(() => core.checkTimeZone(value.trim())),
      })
    ).trim(),
  );
  const next = core.previewCron(cron, { tz, count: 3, now: Date.now() });
  session.say(`Next fires: ${next.map((t) => new Date(t).toISOString()).join(', ')}`);
  if (!takesInput) return { cron, tz };
  const text = await prompts.input({
    message: 'Input of each scheduled run (JSON; ${ } expressions see schedule.fired_at and now)',
    default: '{}',
    validate: jsonObjectCheck,
  });
  return { cron, tz, input: JSON.parse(text) };
}

/** A JSON object, as `weft run --input` takes it. */
export function jsonObjectCheck(text: string): Validation {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return true;
  } catch {
    // Fall through to the message below.
  }
  return `expected a JSON object such as {"order_id": "A-1"}, got '${text}'`;
}

function checked(check: () => unknown): Validation {
  try {
    check();
    return true;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
