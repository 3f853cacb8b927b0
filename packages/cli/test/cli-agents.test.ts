import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chatText, ScriptedServer } from '../../core/test/support/scripted-http.js';
import { assertBuilt, weft, workspace } from './cli-harness.js';

beforeAll(() => {
  assertBuilt();
});

const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('weft agents', () => {
  it('lists agents without keys, tests one, and runs show sums its tokens', async () => {
    const server = await new ScriptedServer().start();
    servers.push(server);
    const config = `secrets:
  LLM_KEY: sk-cli-SECRET-99
agents:
  reviewer:
    type: openai
    base_url: ${server.url}/v1
    model: tiny
    api_key: \${ secrets.LLM_KEY }
    tools: [echo]
`;
    const flow = `name: review
steps:
  - { id: one, type: agent, agent: reviewer, prompt: first }
  - { id: two, type: agent, agent: reviewer, prompt: second }
`;
    const cwd = workspace({ 'weft.config.yaml': config, 'review.yaml': flow });
    const listed = await weft(['agents', 'list', '--json'], { cwd });
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({
        name: 'reviewer',
        type: 'openai',
        tools: ['echo'],
        target: expect.stringContaining('tiny'),
      }),
    ]);
    expect(listed.stdout + listed.stderr).not.toContain('sk-cli-SECRET-99');

    server.reply(chatText('hello from the model'));
    const tested = await weft(['agents', 'test', 'reviewer', '--prompt', 'say hi'], { cwd });
    expect(tested.code).toBe(0);
    expect(tested.stdout).toBe('hello from the model\n');
    expect(tested.stderr).toContain('tokens 15');

    server.reply(chatText('a'), chatText('b'));
    const run = await weft(['run', 'review.yaml', '--json'], { cwd });
    const runId = JSON.parse(run.stdout).run_id as string;
    const shown = await weft(['runs', 'show', runId, '--json'], { cwd });
    expect(JSON.parse(shown.stdout).usage).toEqual({
      prompt_tokens: 20,
      completion_tokens: 10,
      total_tokens: 30,
    });
    const text = await weft(['runs', 'show', runId], { cwd });
    expect(text.stdout).toMatch(/tokens\s+30 \(prompt 20, completion 10\)/);
    expect(shown.stdout + text.stdout).not.toContain('sk-cli-SECRET-99');

    const typo = await weft(['agents', 'test', 'reviwer', '--prompt', 'x'], { cwd });
    expect(typo.code).not.toBe(0);
    expect(typo.stderr).toContain("did you mean 'reviewer'");
  });

  it('runs show prints the cost of a run whose agent has prices', async () => {
    const server = await new ScriptedServer().start();
    servers.push(server);
    const config = `agents:
  reviewer:
    type: openai
    base_url: ${server.url}/v1
    model: tiny
    pricing: { input_per_million: 2, output_per_million: 8, currency: USD }
`;
    const flow = 'name: priced\nsteps:\n  - { id: one, type: agent, agent: reviewer, prompt: first }\n';
    const cwd = workspace({ 'weft.config.yaml': config, 'priced.yaml': flow });
    server.reply(chatText('a', { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 }));
    const run = await weft(['run', 'priced.yaml', '--json'], { cwd });
    const runId = JSON.parse(run.stdout).run_id as string;
    const shown = await weft(['runs', 'show', runId, '--json'], { cwd });
    expect(JSON.parse(shown.stdout).usage).toEqual({
      prompt_tokens: 1000,
      completion_tokens: 500,
      total_tokens: 1500,
      cost: 0.006,
      currency: 'USD',
    });
    const text = await weft(['runs', 'show', runId], { cwd });
    expect(text.stdout).toMatch(/cost\s+0\.006 USD/);
  });
});
