import type { Command } from 'commander';
import { type CliContext, loadContext, withEngine, withStore } from '../context.js';
import type { ScheduleDraft } from '../create/ask-schedule.js';
import { loadCatalog } from '../create/catalog.js';
import { createFromTemplate, type TemplateSource } from '../create/from-template.js';
import { inquirerPrompts, PromptCancelled } from '../create/prompt-set.js';
import type { WizardSession } from '../create/session.js';
import { type CreateActions, createWorkflow } from '../create/wizard.js';
import { yamlFileCheck } from '../create/write-workflow.js';
import { EXIT, UsageError } from '../errors.js';
import { exitWith } from './action.js';
import { runAction } from './run.js';
import { skillRegistry, validateFiles } from './validate.js';

interface CreateOptions {
  output?: string;
  fromTemplate?: string;
}

export function registerCreate(program: Command): void {
  program
    .command('create')
    .description(
      'create a workflow by answering questions: writes <name>.yaml, validates it, offers to run it',
    )
    .option('-o, --output <file>', 'the file to write (default <name>.yaml; asks before overwriting)')
    .option('--from-template <template>', 'make it from a template: asks for the template parameters')
    .addHelpText(
      'after',
      '\nNeeds a terminal. Exit status: 0 written (and, when run, the run completed), 1 the run failed,' +
        '\n2 not a terminal or the document has problems, 130 cancelled with Ctrl-C (no file before the last question).',
    )
    .action(exitWith(createAction));
}

async function createAction(options: CreateOptions, command: Command): Promise<number> {
  if (!process.stdin.isTTY) {
    throw new UsageError(
      'weft create asks questions and needs a terminal, but stdin is not one. Write the document ' +
        'yourself and check it with `weft validate <file>`, or make one from a template with ' +
        '`weft templates instantiate <template> --param key=value --name <workflow>`',
    );
  }
  if (options.output !== undefined) {
    const problem = yamlFileCheck(options.output);
    if (problem !== true) throw new UsageError(`--output: ${problem}`);
  }
  const ctx = await loadContext(command);
  const skills = await skillRegistry(ctx);
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const session: WizardSession = {
    prompts: await inquirerPrompts(),
    core: ctx.core,
    catalog: await loadCatalog(ctx, skills, (line) => say(`weft: warning: ${line}`)),
    cwd: ctx.cwd,
    say,
  };
  const actions: CreateActions = {
    validate: async (file) => (await validateFiles(ctx, [file], { skills: skills.names() })) === EXIT.ok,
    run: (target, input) => runAction(target, input === undefined ? {} : { input }, command),
    schedule: (file, schedule) => createSchedule(ctx, file, schedule),
  };
  try {
    if (options.fromTemplate === undefined)
      return await createWorkflow(session, actions, { output: options.output });
    return await createFromTemplate(session, templateSource(ctx), actions, {
      template: options.fromTemplate,
      output: options.output,
    });
  } catch (error) {
    if (!(error instanceof PromptCancelled)) throw error;
    say(`weft: cancelled${session.written ? ` (${session.written} was written)` : '; nothing was written'}`);
    return EXIT.interrupted;
  }
}

/** Templates on an engine opened for each call, so no engine stays open while questions wait. */
function templateSource(ctx: CliContext): TemplateSource {
  return {
    get: (name) => withEngine(ctx, (engine) => new ctx.core.Templates(engine).get(name)),
    instantiate: (name, parameters, options) =>
      withEngine(ctx, (engine) => new ctx.core.Templates(engine).instantiate(name, parameters, options)),
  };
}

/** What `weft schedules create <file> --cron --tz [--input]` does. */
async function createSchedule(ctx: CliContext, file: string, schedule: ScheduleDraft): Promise<string> {
  const view = await withStore(ctx, async (store) => {
    await store.migrate();
    return new ctx.core.ScheduleAdmin({ store, cwd: ctx.cwd }).create({
      workflow: file,
      cron: schedule.cron,
      tz: schedule.tz,
      ...(schedule.input === undefined ? {} : { input: schedule.input }),
    });
  });
  const next = view.upcoming.slice(0, 3).map((t) => new Date(t).toISOString());
  return `Created schedule '${view.name}' (next: ${next.join(', ')}); it fires while weft serve, weft worker or weft scheduler runs`;
}
