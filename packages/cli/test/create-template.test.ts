import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateFiles } from '../src/commands/validate.js';
import { openEngine } from '../src/context.js';
import { createFromTemplate, type TemplateSource } from '../src/create/from-template.js';
import type { CreateActions } from '../src/create/wizard.js';
import { workspace } from './cli-harness.js';
import { contextIn, scriptedSession } from './create-fixtures.js';

const TEMPLATE = `name: greeter
description: Greets someone, a few times
parameters:
  who: { type: string, required: true, pattern: '[a-z]+', description: Who to greet }
  style: { type: enum, values: [plain, loud], default: plain }
  shout: { type: boolean, default: false }
  times: { type: integer, default: 1, description: How many greetings }
  ratio: { type: number, default: 0.5 }
  pause: { type: duration, default: 1ms }
  tool: { type: skill, default: echo }
workflow:
  steps:
    - id: greet
      type: skill
      skill: "{{ tool }}"
      inputs: { greeting: "hello {{ who }}", style: "{{ style }}", shout: "{{ shout }}", times: "{{ times }}", ratio: "{{ ratio }}" }
    - { id: rest, type: skill, skill: sleep, inputs: { duration: "{{ pause }}" } }
`;

describe('weft create --from-template, driven by scripted answers', () => {
  it('asks each parameter with the prompt of its type, instantiates, writes, validates and runs it', async () => {
    const dir = workspace();
    const ctx = await contextIn(dir);
    const engine = await openEngine(ctx);
    try {
      const templates = new ctx.core.Templates(engine);
      await templates.push(TEMPLATE);
      const source: TemplateSource = {
        get: (name) => templates.get(name),
        instantiate: (name, parameters, options) => templates.instantiate(name, parameters, options),
      };
      const { session, prompts, said } = await scriptedSession(ctx, [
        ['who (string): Who to greet', 'Bob'],
        ['who (string): Who to greet', 'bob'],
        ['style (enum, optional)', 'loud'],
        ['shout (boolean, optional)', true],
        ['times (integer, optional): How many greetings', 3],
        ['ratio (number, optional)', undefined],
        ['pause (duration, optional)', '5'],
        ['pause (duration, optional)', undefined],
        ['tool (skill, optional)', undefined],
        ['Name of the workflow it makes', 'Greeter'],
        ['Name of the workflow it makes', undefined],
        ['Run greeter now', true],
      ]);
      const runs: string[] = [];
      const actions: CreateActions = {
        validate: async (file) => (await validateFiles(ctx, [file])) === 0,
        run: async (target) => {
          runs.push(target);
          const result = await (await engine.start({ name: target })).result();
          return result.status === 'completed' ? 0 : 1;
        },
        schedule: () => Promise.reject(new Error('no schedule was asked for')),
      };

      const code = await createFromTemplate(session, source, actions, { template: 'greeter' });

      expect(prompts.remaining()).toEqual([]);
      expect(prompts.refused).toEqual([
        "expected a value matching /[a-z]+/, got 'Bob'",
        expect.stringContaining("expected a duration with a unit, got '5'"),
        expect.stringContaining("invalid workflow name string 'Greeter'"),
      ]);
      expect(said[0]).toBe('greeter (template version 1): Greets someone, a few times');
      expect(said).toContain('Wrote greeter.yaml');

      const text = readFileSync(resolve(dir, 'greeter.yaml'), 'utf8');
      expect(text).toMatch(
        /^# yaml-language-server: \$schema=\S+schema\/workflow\.schema\.json\n# Made from template greeter version 1\./,
      );
      const document = parse(text);
      expect(document.name).toBe('greeter');
      expect(document.steps[0]).toMatchObject({
        skill: 'echo',
        inputs: { greeting: 'hello bob', style: 'loud', shout: true, times: 3, ratio: 0.5 },
      });
      expect(document.steps[1].inputs).toEqual({ duration: '1ms' });

      const registered = await engine.workflows.show('greeter');
      expect(registered.status).toBe('active');
      expect(registered.origin).toMatchObject({
        template: 'greeter',
        version: 1,
        parameters: { who: 'bob', style: 'loud', shout: true, times: 3 },
      });
      expect(runs).toEqual(['greeter']);
      expect(code).toBe(0);
    } finally {
      await engine.close();
    }
  });

  it('refuses a template that needs an agent when none is configured', async () => {
    const dir = workspace();
    const ctx = await contextIn(dir);
    const engine = await openEngine(ctx);
    try {
      const templates = new ctx.core.Templates(engine);
      await templates.push(`name: needs-agent
parameters:
  reviewer: { type: agent, required: true }
workflow:
  steps: [{ id: ask, type: agent, agent: "{{ reviewer }}", prompt: hi }]
`);
      const { session } = await scriptedSession(ctx, []);
      const actions = { validate: async () => true, run: async () => 0, schedule: async () => '' };
      await expect(
        createFromTemplate(session, templates, actions, { template: 'needs-agent' }),
      ).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringContaining('agents: in weft.config.yaml'),
      });
    } finally {
      await engine.close();
    }
  });
});
