import { afterEach, describe, expect, it } from 'vitest';
import { chatText, chatTools, ScriptedServer } from '../../test/support/scripted-http.js';
import { runDoc, useStepEngines } from '../../test/support/step-engine.js';
import { runUsage } from '../agents/usage.js';

const setup = useStepEngines();
const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function harness(agent: Record<string, unknown> = {}) {
  const server = await new ScriptedServer().start();
  servers.push(server);
  const { engine } = await setup();
  engine.registerAgent('reviewer', {
    type: 'openai',
    base_url: `${server.url}/v1`,
    model: 'm',
    tools: ['echo'],
    ...agent,
  });
  return { server, engine };
}

describe('agent step', () => {
  it('records the cost of each invocation from the configured prices, and sums it per run', async () => {
    const { server, engine } = await harness({
      pricing: { input_per_million: 2, output_per_million: 8, currency: 'USD' },
    });
    server.reply(
      chatText('one', { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 }),
      chatText('two', { prompt_tokens: 3000, completion_tokens: 250, total_tokens: 3250 }),
    );
    const doc = `name: priced
steps:
  - { id: a, type: agent, agent: reviewer, prompt: first }
  - { id: b, type: agent, agent: reviewer, prompt: second }
`;
    const result = await runDoc(engine, doc);
    expect(result.status).toBe('completed');
    const steps = (await engine.getRun(result.runId))!.steps.filter((s) => s.status === 'completed');
    // 1000 * 2 / 1e6 + 500 * 8 / 1e6 = 0.006; 3000 * 2 / 1e6 + 250 * 8 / 1e6 = 0.008
    expect(steps.map((s) => [s.stepKey, s.meta?.cost, s.meta?.currency])).toEqual([
      ['a', 0.006, 'USD'],
      ['b', 0.008, 'USD'],
    ]);
    expect(runUsage(steps)).toEqual({
      prompt_tokens: 4000,
      completion_tokens: 750,
      total_tokens: 4750,
      cost: 0.014,
      currency: 'USD',
    });
  });

  it('records no cost without prices', async () => {
    const { server, engine } = await harness();
    server.reply(chatText('free'));
    const result = await runDoc(
      engine,
      'name: free\nsteps:\n  - { id: a, type: agent, agent: reviewer, prompt: x }\n',
    );
    const steps = (await engine.getRun(result.runId))!.steps;
    expect(steps[steps.length - 1]!.meta).not.toHaveProperty('cost');
    expect(runUsage(steps)).not.toHaveProperty('cost');
  });

  it('answers from the cache on a second run: the agent is not called again', async () => {
    const { server, engine } = await harness();
    server.reply(chatTools([{ name: 'echo', args: { a: 1 } }]), chatText('cached verdict'));
    const doc = `name: cached
steps:
  - id: review
    type: agent
    agent: reviewer
    prompt: "Review \${ inputs.pr }"
    cache: { ttl: 1h }
`;
    const first = await runDoc(engine, doc, { pr: 7 });
    expect(first).toMatchObject({ status: 'completed', output: 'cached verdict' });
    expect(server.seen).toHaveLength(2);
    const second = await runDoc(engine, doc, { pr: 7 });
    expect(second).toMatchObject({ status: 'completed', output: 'cached verdict' });
    expect(server.seen).toHaveLength(2);
    const record = (await engine.getRun(second.runId))!.steps.find((s) => s.stepKey === 'review')!;
    expect(record.meta).toMatchObject({ cache: 'hit', agent: 'reviewer' });
    expect(record.meta).not.toHaveProperty('usage');
    const events = await engine.store.getEvents(second.runId);
    expect(events.map((e) => e.type)).toContain('step.cache_hit');
    // Other inputs are another key: the agent is called.
    server.reply(chatText('fresh'));
    expect(await runDoc(engine, doc, { pr: 8 })).toMatchObject({ output: 'fresh' });
    expect(server.seen).toHaveLength(3);
    // The tool call in the first run was not cached under the step's policy.
    const firstRecord = (await engine.getRun(first.runId))!.steps.find((s) => s.stepKey === 'review')!;
    expect(firstRecord.meta).toMatchObject({ cache: 'miss', tool_calls: [{ tool: 'echo' }] });
    expect((await engine.cache.list()).length).toBe(2);
  });

  it('lets retry_on name the agent error codes', async () => {
    const { server, engine } = await harness();
    server.reply(
      chatText('long', { prompt_tokens: 90, completion_tokens: 20, total_tokens: 110 }),
      chatText('short', { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 }),
    );
    const doc = `name: retried
steps:
  - id: review
    type: agent
    agent: reviewer
    prompt: x
    guardrails: { max_tokens: 100 }
    retry:
      max_attempts: 2
      backoff: immediate
      retry_on: [max_tokens_exceeded, max_iterations_exceeded, tool_not_allowed, agent_error]
`;
    const result = await runDoc(engine, doc);
    expect(result).toMatchObject({ status: 'completed', output: 'short' });
    const attempts = (await engine.getRun(result.runId))!.steps.filter((s) => s.stepKey === 'review');
    expect(attempts[0]!.error).toMatchObject({ code: 'max_tokens_exceeded' });

    server.reply({ status: 500, body: 'down' });
    const notListed = await runDoc(engine, doc.replace(', agent_error]', ']'));
    expect(notListed.error).toMatchObject({ code: 'agent_error', status: 500 });
    expect(server.seen).toHaveLength(3);
  });
});
