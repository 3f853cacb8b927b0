import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { validateFiles } from '../src/commands/validate.js';
import { type CliContext, withEngine, withStore } from '../src/context.js';
import type { ScheduleDraft } from '../src/create/ask-schedule.js';
import { PromptCancelled } from '../src/create/prompt-set.js';
import { type CreateActions, createWorkflow } from '../src/create/wizard.js';
import { assertBuilt, weft, workspace } from './cli-harness.js';
import { contextIn, scriptedSession } from './create-fixtures.js';
import { CTRL_C, type Line } from './create-script.js';

const CONFIG = `agents:
  shouter:
    type: command
    command: [echo, "{prompt}"]
`;
const CHILD = `name: child
inputs: { type: object, properties: { who: { type: string } } }
steps:
  - { id: hi, type: skill, skill: echo, inputs: { greeting: "hi \${ inputs.who }" } }
`;

interface Recorded {
  validated: string[];
  runs: { target: string; input: string | undefined; status: string; output: unknown }[];
  schedules: { file: string; schedule: ScheduleDraft }[];
}

/**
 * The actions the command wires, on this test's store: `weft validate`'s own validateFiles, a real
 * run of the written document, the scheduler's ScheduleAdmin.
 */
function actionsIn(ctx: CliContext): CreateActions & { recorded: Recorded } {
  const recorded: Recorded = { validated: [], runs: [], schedules: [] };
  return {
    recorded,
    async validate(file) {
      recorded.validated.push(file);
      return (await validateFiles(ctx, [file])) === 0;
    },
    run: (target, input) =>
      withEngine(ctx, async (engine) => {
        const handle = await engine.start(
          resolve(ctx.cwd, target),
          input === undefined ? {} : JSON.parse(input),
        );
        const result = await handle.result();
        recorded.runs.push({ target, input, status: result.status, output: result.output });
        return result.status === 'completed' ? 0 : 1;
      }),
    async schedule(file, schedule) {
      recorded.schedules.push({ file, schedule });
      const view = await withStore(ctx, async (store) => {
        await store.migrate();
        return new ctx.core.ScheduleAdmin({ store, cwd: ctx.cwd }).create({ workflow: file, ...schedule });
      });
      return `Created schedule '${view.name}'`;
    },
  };
}

function workspaceWith(files: Record<string, string>): string {
  const dir = workspace();
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(resolve(dir, name)), { recursive: true });
    writeFileSync(resolve(dir, name), text);
  }
  return dir;
}

// The questions of a one-step workflow `name`: name, no description, no inputs, an echo step.
function oneStep(name: string): Line[] {
  return [
    ['Workflow name', name],
    ['Description', undefined],
    ['Run input name', undefined],
    ['Step id', 'hello'],
    ['Type of step', 'skill'],
    ['Skill for', 'echo'],
    ['echo input name', 'text'],
    ["echo input 'text'", 'hi'],
    ['echo input name', undefined],
    ['Error handling', false],
    ['Add another step', false],
  ];
}

let stderr: string[];
beforeAll(() => assertBuilt());
afterEach(() => vi.restoreAllMocks());

function captureStderr(): void {
  stderr = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
}

describe('weft create, driven by scripted answers', () => {
  it('asks for everything, writes the document with the schema comment, validates it and runs it', async () => {
    const dir = workspaceWith({ 'weft.config.yaml': CONFIG, 'flows/child.yaml': CHILD });
    const ctx = await contextIn(dir);
    const { session, prompts, said } = await scriptedSession(ctx, [
      ['Workflow name', 'Orders!'],
      ['Workflow name', 'orders'],
      ['Description', 'Ship paid orders'],
      ['Run input name', 'order_id'],
      ["Type of input 'order_id'", 'string'],
      ["Description of 'order_id'", 'The order'],
      ["Default of 'order_id'", undefined],
      ["Is 'order_id' required", true],
      ['Another run input name', 'count'],
      ["Type of input 'count'", 'integer'],
      ["Description of 'count'", undefined],
      ["Default of 'count'", 'many'],
      ["Default of 'count'", '2'],
      ['Another run input name', undefined],
      // fetch: a skill step with its declared inputs, and retries
      ['Step id', '1bad'],
      ['Step id', 'fetch'],
      ["Type of step 'fetch'", 'skill'],
      ["Skill for 'fetch'", 'shell'],
      ["shell input 'command'", 'echo order-${ inputs.order_id }'],
      ["shell input 'cwd'", undefined],
      ["shell input 'env'", undefined],
      ["shell input 'stdin'", undefined],
      ["shell input 'allow_failure'", 'maybe'],
      ["shell input 'allow_failure'", undefined],
      ["Error handling for 'fetch' (retries, on_error)", true],
      ['Attempts in all', 0],
      ['Attempts in all', 3],
      ['Delay between attempts', 'fixed'],
      ['First delay', '10'],
      ['First delay', '10ms'],
      ["When 'fetch' fails for good", 'halt'],
      ['Add another step', true],
      // review: an agent of the config, after fetch
      ['Step id', 'fetch'],
      ['Step id', 'review'],
      ["Type of step 'review'", 'agent'],
      ["Agent for 'review'", 'shouter'],
      ['Prompt for shouter', 'Review ${ steps.fetch.output.stdout }'],
      ['shouter extra input name', undefined],
      ["Steps 'review' waits for", ['fetch']],
      ["Error handling for 'review'", false],
      ['Add another step', true],
      // fan: a parallel with a set step and a child workflow from a file
      ['Step id', 'fan'],
      ["Type of step 'fan'", 'parallel'],
      ["'fan' ends when", 'all'],
      ["Step id in 'fan'", 'note'],
      ["Type of step 'note'", 'set'],
      ['variable name', 'count'],
      ["variable 'count'", '${ inputs.count }'],
      ['variable name', undefined],
      ["Error handling for 'note' (on_error)", false],
      ["Add another step to 'fan'", true],
      ["Step id in 'fan'", 'child'],
      ["Type of step 'child'", 'workflow'],
      ["Workflow for 'child'", 'a file path...'],
      ['Path of the workflow document', 'missing.yaml'],
      ['Path of the workflow document', 'flows/child.yaml'],
      ['child run input name', 'who'],
      ["child run input 'who'", '${ inputs.order_id }'],
      ['child run input name', undefined],
      ["Error handling for 'child'", true],
      ['Attempts in all', 1],
      ["When 'child' fails for good", 'skip'],
      ["Add another step to 'fan'", false],
      ["Steps 'fan' waits for", ['review']],
      ["Error handling for 'fan'", false],
      ['Add another step', true],
      // finish: refers to a step that does not exist, is shown the problem, and is entered again
      ['Step id', 'finish'],
      ["Type of step 'finish'", 'set'],
      ['variable name', 'result'],
      ["variable 'result'", '${ steps.nope.output }'],
      ['variable name', undefined],
      ["Steps 'finish' waits for", []],
      ["Error handling for 'finish'", false],
      ["Enter step 'finish' again", true],
      ['Step id', 'finish'],
      ["Type of step 'finish'", 'set'],
      ['variable name', 'result'],
      ["variable 'result'", '${ steps.review.output }'],
      ['variable name', undefined],
      ["Steps 'finish' waits for", ['fan']],
      ["Error handling for 'finish'", false],
      ['Add another step', false],
      ['Run it on a schedule', false],
      ['Run orders.yaml now', true],
      ['Run input (JSON)', '[1]'],
      ['Run input (JSON)', '{"order_id": "A-1"}'],
    ]);
    const actions = actionsIn(ctx);
    captureStderr();

    const code = await createWorkflow(session, actions);

    expect(prompts.remaining()).toEqual([]);
    expect(prompts.refused).toEqual([
      expect.stringContaining("invalid workflow name string 'Orders!'"),
      "expected an integer, got 'many'",
      expect.stringContaining("invalid step id string '1bad'"),
      "expected a boolean or a ${ } expression, got 'maybe'",
      expect.stringContaining('Value must be between 1'),
      expect.stringContaining("expected a duration with a unit, got '10'"),
      "step id 'fetch' is already used; ids are unique in the whole document",
      "no file 'missing.yaml' here",
      `expected a JSON object such as {"order_id": "A-1"}, got '[1]'`,
    ]);
    expect(said).toContain("Step 'finish' has problems:");
    expect(said).toContain("  steps[3].values.result: unknown step 'nope' (did you mean 'note'?)");

    const text = readFileSync(resolve(dir, 'orders.yaml'), 'utf8');
    const schema = /^# yaml-language-server: \$schema=(\S+)\n/.exec(text)?.[1];
    expect(schema).toMatch(/schema\/workflow\.schema\.json$/);
    expect(existsSync(resolve(dir, schema!))).toBe(true);
    expect(parse(text)).toEqual({
      name: 'orders',
      description: 'Ship paid orders',
      inputs: {
        type: 'object',
        properties: {
          order_id: { type: 'string', description: 'The order' },
          count: { type: 'integer', default: 2 },
        },
        required: ['order_id'],
      },
      steps: [
        {
          id: 'fetch',
          type: 'skill',
          skill: 'shell',
          inputs: { command: 'echo order-${ inputs.order_id }' },
          retry: { max_attempts: 3, backoff: 'fixed', delay: '10ms' },
        },
        {
          id: 'review',
          type: 'agent',
          needs: ['fetch'],
          agent: 'shouter',
          prompt: 'Review ${ steps.fetch.output.stdout }',
        },
        {
          id: 'fan',
          type: 'parallel',
          needs: ['review'],
          steps: [
            { id: 'note', type: 'set', values: { count: '${ inputs.count }' } },
            {
              id: 'child',
              type: 'workflow',
              workflow: './flows/child.yaml',
              inputs: { who: '${ inputs.order_id }' },
              on_error: 'skip',
            },
          ],
        },
        { id: 'finish', type: 'set', needs: ['fan'], values: { result: '${ steps.review.output }' } },
      ],
    });

    // Validated with weft validate's own code, then run with the answered input.
    expect(actions.recorded.validated).toEqual(['orders.yaml']);
    expect(stderr.join('')).toContain('ok orders.yaml');
    expect(actions.recorded.runs).toEqual([
      {
        target: 'orders.yaml',
        input: '{"order_id": "A-1"}',
        status: 'completed',
        output: { result: expect.stringContaining('Review order-A-1') },
      },
    ]);
    expect(code).toBe(0);
  });

  it('writes nothing when cancelled (Ctrl-C) before the end', async () => {
    const dir = workspace();
    const ctx = await contextIn(dir);
    const { session } = await scriptedSession(ctx, [...oneStep('tidy'), ['Run it on a schedule', CTRL_C]]);
    await expect(createWorkflow(session, actionsIn(ctx))).rejects.toBeInstanceOf(PromptCancelled);
    expect(existsSync(resolve(dir, 'tidy.yaml'))).toBe(false);
    expect(session.written).toBeUndefined();
  });

  it('asks before overwriting: a no asks for another file, Ctrl-C there leaves the old one as it was', async () => {
    const dir = workspaceWith({ 'tidy.yaml': 'old\n' });
    const ctx = await contextIn(dir);
    const cancelled = await scriptedSession(ctx, [
      ...oneStep('tidy'),
      ['Run it on a schedule', false],
      ['tidy.yaml exists. Overwrite it', CTRL_C],
    ]);
    await expect(createWorkflow(cancelled.session, actionsIn(ctx))).rejects.toBeInstanceOf(PromptCancelled);
    expect(readFileSync(resolve(dir, 'tidy.yaml'), 'utf8')).toBe('old\n');

    const declined = await scriptedSession(ctx, [
      ...oneStep('tidy'),
      ['Run it on a schedule', false],
      ['tidy.yaml exists. Overwrite it', false],
      ['Write to which file instead', 'tidy.json'],
      ['Write to which file instead', 'flows/tidy-2.yaml'],
      ['Run flows/tidy-2.yaml now', false],
    ]);
    const actions = actionsIn(ctx);
    expect(await createWorkflow(declined.session, actions)).toBe(0);
    expect(declined.prompts.refused).toEqual(["expected a .yaml or .yml file, got 'tidy.json'"]);
    expect(readFileSync(resolve(dir, 'tidy.yaml'), 'utf8')).toBe('old\n');
    expect(parse(readFileSync(resolve(dir, 'flows/tidy-2.yaml'), 'utf8')).name).toBe('tidy');
    expect(actions.recorded.runs).toEqual([]);
    expect(declined.said).toContain('Run it with: weft run flows/tidy-2.yaml');

    const replaced = await scriptedSession(ctx, [
      ...oneStep('tidy'),
      ['Run it on a schedule', false],
      ['tidy.yaml exists. Overwrite it', true],
      ['Run tidy.yaml now', false],
    ]);
    expect(await createWorkflow(replaced.session, actionsIn(ctx))).toBe(0);
    expect(parse(readFileSync(resolve(dir, 'tidy.yaml'), 'utf8')).name).toBe('tidy');
  });

  it('keeps a step with problems when asked to, and then reports them without offering a run (exit 2)', async () => {
    const dir = workspace();
    const ctx = await contextIn(dir);
    const { session, said } = await scriptedSession(ctx, [
      ['Workflow name', 'broken'],
      ['Description', undefined],
      ['Run input name', undefined],
      ['Step id', 'only'],
      ['Type of step', 'set'],
      ['variable name', undefined],
      ['variable name', 'x'],
      ["variable 'x'", '${ steps.ghost.output }'],
      ['variable name', undefined],
      ['Error handling', false],
      ["Enter step 'only' again", false],
      ['Add another step', false],
      ['Run it on a schedule', false],
    ]);
    const actions = actionsIn(ctx);
    captureStderr();
    expect(await createWorkflow(session, actions)).toBe(2);
    expect(stderr.join('')).toMatch(/broken\.yaml:\d+:\d+: steps\[0\]\.values\.x: unknown step 'ghost'/);
    expect(said.at(-1)).toBe(
      'broken.yaml has the problems above; fix them, then check it with: weft validate broken.yaml',
    );
    expect(actions.recorded.runs).toEqual([]);
  });

  it('asks for a cron schedule and creates it with the scheduler, or prints the command', async () => {
    const dir = workspace();
    const ctx = await contextIn(dir);
    const schedule: Line[] = [
      ['Run it on a schedule', true],
      ['Cron expression', '0 25 * * *'],
      ['Cron expression', '0 9 * * 1-5'],
      ['Time zone', 'Europe/Berlinn'],
      ['Time zone', 'Europe/Berlin'],
    ];
    const created = await scriptedSession(ctx, [
      ...oneStep('daily'),
      ...schedule,
      ['Create the schedule now', true],
      ['Run daily.yaml now', false],
    ]);
    const actions = actionsIn(ctx);
    expect(await createWorkflow(created.session, actions)).toBe(0);
    expect(created.prompts.refused).toEqual([
      expect.stringContaining("the hour field '25' is invalid"),
      expect.stringContaining(
        "time zone 'Europe/Berlinn' is not an IANA time zone (did you mean 'Europe/Berlin'?)",
      ),
    ]);
    expect(actions.recorded.schedules).toEqual([
      { file: 'daily.yaml', schedule: { cron: '0 9 * * 1-5', tz: 'Europe/Berlin' } },
    ]);
    expect(created.said).toContain("Created schedule 'daily'");
    const stored = await withStore(ctx, (store) => store.schedules.get('daily'));
    expect(stored).toMatchObject({ kind: 'cron', spec: '0 9 * * 1-5', tz: 'Europe/Berlin' });

    const later = await scriptedSession(ctx, [
      ...oneStep('nightly'),
      ...schedule,
      ['Create the schedule now', false],
      ['Run nightly.yaml now', false],
    ]);
    expect(await createWorkflow(later.session, actionsIn(ctx))).toBe(0);
    expect(later.said).toContain(
      "Create it later with: weft schedules create nightly.yaml --cron '0 9 * * 1-5' --tz Europe/Berlin",
    );
  });

  it('refuses to start without a terminal: a usage error, exit 2', async () => {
    const dir = workspace();
    const result = await weft(['create'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'weft: weft create asks questions and needs a terminal, but stdin is not one',
    );
    expect(existsSync(resolve(dir, '.weft'))).toBe(false);
  });
});
