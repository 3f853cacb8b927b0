import { EXIT } from '../errors.js';
import { askInputs } from './ask-inputs.js';
import { askSchedule, jsonObjectCheck, type ScheduleDraft } from './ask-schedule.js';
import { askSteps, stepScope } from './ask-steps.js';
import { workflowNameCheck } from './checks.js';
import type { Step, WizardSession } from './session.js';
import { chooseFile, writeWorkflow } from './write-workflow.js';

/** What happens to the document once written: the same code paths as the commands named. */
export interface CreateActions {
  /** Checks the file as `weft validate <file>` does (and prints the same lines); true when valid. */
  validate(file: string): Promise<boolean>;
  /** Runs it as `weft run <file> [--input <json>]` does; returns that command's exit code. */
  run(file: string, input: string | undefined): Promise<number>;
  /** Creates the schedule as `weft schedules create` does; returns a line saying what was made. */
  schedule(file: string, schedule: ScheduleDraft): Promise<string>;
}

export interface WorkflowDraft {
  document: Record<string, unknown>;
  schedule?: ScheduleDraft;
}

/**
 * `weft create`: asks for the workflow, writes it, validates it, then offers the schedule and a run.
 * Returns the exit code (the run's, when it ran).
 * @example process.exitCode = await createWorkflow(session, actions, { output: 'deploy.yaml' });
 */
export async function createWorkflow(
  session: WizardSession,
  actions: CreateActions,
  options: { output?: string } = {},
): Promise<number> {
  const draft = await askWorkflow(session);
  const name = String(draft.document.name);
  const file = await chooseFile(session, name, options.output);
  const shown = await writeWorkflow(session, draft.document, file);
  session.say(`Wrote ${shown}`);
  const takesInput = draft.document.inputs !== undefined;
  return afterWriting(session, actions, { file: shown, takesInput, schedule: draft.schedule });
}

/** The questions, in order: name, description, inputs, steps (each checked), schedule. */
export async function askWorkflow(session: WizardSession): Promise<WorkflowDraft> {
  const { prompts, core } = session;
  const name = await prompts.input({
    message: 'Workflow name (lowercase letters, digits, ".", "_", "-")',
    required: true,
    validate: workflowNameCheck(core),
  });
  const description = (await prompts.input({ message: 'Description (optional)' })).trim();
  const inputs = await askInputs(session);
  const head: Record<string, unknown> = { name };
  if (description !== '') head.description = description;
  if (inputs !== undefined) head.inputs = inputs;
  const steps = await askSteps(stepScope(session), {
    label: '',
    needs: true,
    check: (soFar) => stepProblems(session, { ...head, steps: soFar }, soFar.length - 1),
  });
  const schedule = await askSchedule(session, inputs !== undefined);
  return { document: { ...head, steps }, ...(schedule ? { schedule } : {}) };
}

/** Validates the written file, then offers the schedule and a run (of `runTarget`, default the file). */
export async function afterWriting(
  session: WizardSession,
  actions: CreateActions,
  written: { file: string; takesInput: boolean; runTarget?: string; schedule?: ScheduleDraft },
): Promise<number> {
  const { file, schedule } = written;
  if (!(await actions.validate(file))) {
    session.say(`${file} has the problems above; fix them, then check it with: weft validate ${file}`);
    return EXIT.usage;
  }
  if (schedule) await offerSchedule(session, actions, file, schedule);
  return offerRun(session, actions, written.runTarget ?? file, written.takesInput);
}

/** The format's problems with step `index` of a document in progress, as `path: message` lines. */
function stepProblems(session: WizardSession, document: { steps: Step[] }, index: number): string[] {
  const { catalog, core } = session;
  const { problems } = core.validateDocument(document, {
    skills: new Set(catalog.skills.map((s) => s.name)),
    agents: new Set(catalog.agents.map((a) => a.name)),
  });
  const at = `steps[${index}]`;
  return problems
    .filter((p) => p.path === at || p.path.startsWith(`${at}.`))
    .map((p) => `${p.path}: ${p.message}`);
}

async function offerSchedule(
  session: WizardSession,
  actions: CreateActions,
  file: string,
  schedule: ScheduleDraft,
): Promise<void> {
  const command = scheduleCommand(file, schedule);
  const now = await session.prompts.confirm({
    message: 'Create the schedule now? (it fires while weft serve, weft worker or weft scheduler runs)',
    default: true,
  });
  if (!now) {
    session.say(`Create it later with: ${command}`);
    return;
  }
  try {
    session.say(await actions.schedule(file, schedule));
  } catch (error) {
    session.say(`The schedule was not created: ${error instanceof Error ? error.message : String(error)}`);
    session.say(`Create it with: ${command}`);
  }
}

async function offerRun(
  session: WizardSession,
  actions: CreateActions,
  target: string,
  takesInput: boolean,
): Promise<number> {
  const { prompts } = session;
  if (!(await prompts.confirm({ message: `Run ${target} now?`, default: true }))) {
    session.say(`Run it with: weft run ${shellWord(target)}`);
    return EXIT.ok;
  }
  const input = takesInput
    ? await prompts.input({ message: 'Run input (JSON)', default: '{}', validate: jsonObjectCheck })
    : undefined;
  return actions.run(target, input);
}

/** The `weft schedules create` command line for a schedule. */
export function scheduleCommand(file: string, schedule: ScheduleDraft): string {
  const input = schedule.input === undefined ? '' : ` --input ${shellWord(JSON.stringify(schedule.input))}`;
  return `weft schedules create ${shellWord(file)} --cron ${shellWord(schedule.cron)} --tz ${shellWord(schedule.tz)}${input}`;
}

function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:@=+-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}
