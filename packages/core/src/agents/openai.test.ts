import { afterEach, describe, expect, it } from 'vitest';
import { chatText, chatTools, ScriptedServer } from '../../test/support/scripted-http.js';
import { runDoc, useStepEngines } from '../../test/support/step-engine.js';
import { createEngine } from '../engine/create-engine.js';
import { runUsage } from './usage.js';

const setup = useStepEngines();
const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const KEY = 'sk-test-SECRET-4242';

async function harness(agent: Record<string, unknown> = {}) {
  const server = await new ScriptedServer().start();
  servers.push(server);
  const { engine } = await setup();
  engine.registerAgent('reviewer', {
    type: 'openai',
    base_url: `${server.url}/v1`,
    model: 'test-model',
    api_key: KEY,
    system: 'You review code.',
    tools: ['echo', 'file.exists'],
    ...agent,
  });
  return { server, engine };
}

const step = (extra = '') => `name: agentic
steps:
  - id: review
    type: agent
    agent: reviewer
    prompt: "Review \${ inputs.what }"
    inputs: { repo: acme }
${extra}`;

describe('agent step with the openai adapter', () => {
  it('answers with the final text, records usage on the step meta, and never stores the key', async () => {
    const { server, engine } = await harness();
    server.reply(chatText('looks good'));
    const result = await runDoc(engine, step(), { what: 'the diff' });
    expect(result).toMatchObject({ status: 'completed', output: 'looks good' });
    const request = server.seen[0]!;
    expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request.body.model).toBe('test-model');
    const messages = request.body.messages as { role: string; content: string }[];
    expect(messages[0]).toEqual({ role: 'system', content: 'You review code.' });
    expect(messages[1]!.content).toContain('Review the diff');
    expect(messages[1]!.content).toContain('"repo": "acme"');
    const details = await engine.getRun(result.runId);
    const record = details!.steps.find((s) => s.stepKey === 'review' && s.status === 'completed')!;
    expect(record.meta).toMatchObject({ agent: 'reviewer', usage: { total_tokens: 15 }, iterations: 1 });
    expect(runUsage(details!.steps)).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    const events = await engine.store.getEvents(result.runId);
    expect(JSON.stringify({ details, events })).not.toContain(KEY);
  });

  it('runs allowed skills as tools and returns their results to the model', async () => {
    const { server, engine } = await harness();
    server.reply(chatTools([{ name: 'echo', args: { hello: 'tool' } }]), chatText('done'));
    const result = await runDoc(engine, step(), { what: 'x' });
    expect(result).toMatchObject({ status: 'completed', output: 'done' });
    const tools = server.seen[0]!.body.tools as { function: { name: string } }[];
    expect(tools.map((t) => t.function.name).sort()).toEqual(['echo', 'file__exists']);
    const messages = server.seen[1]!.body.messages as {
      role: string;
      content: string;
      tool_call_id?: string;
    }[];
    const toolMessage = messages.find((m) => m.role === 'tool')!;
    expect(toolMessage.tool_call_id).toBe('call_0');
    expect(JSON.parse(toolMessage.content)).toEqual({ hello: 'tool' });
    const details = await engine.getRun(result.runId);
    const record = details!.steps.find((s) => s.stepKey === 'review' && s.status === 'completed')!;
    expect(record.meta).toMatchObject({
      usage: { total_tokens: 30 },
      iterations: 2,
      tool_calls: [{ tool: 'echo' }],
    });
  });

  it('refuses a tool outside guardrails.allowed_tools or unknown, and tells the model', async () => {
    const { server, engine } = await harness();
    server.reply(
      chatTools([
        { name: 'file__exists', args: { path: 'x' } },
        { name: 'shell', args: { command: 'rm -rf /' } },
      ]),
      chatText('ok'),
    );
    const result = await runDoc(engine, step('    guardrails: { allowed_tools: [echo] }'), { what: 'x' });
    expect(result).toMatchObject({ status: 'completed', output: 'ok' });
    expect((server.seen[0]!.body.tools as unknown[]).length).toBe(1);
    const messages = server.seen[1]!.body.messages as { role: string; content: string }[];
    const refusals = messages.filter((m) => m.role === 'tool').map((m) => JSON.parse(m.content));
    expect(refusals).toEqual([
      { error: { code: 'tool_not_allowed', message: expect.stringContaining('file.exists') } },
      { error: { code: 'tool_not_allowed', message: expect.stringContaining('shell') } },
    ]);
  });

  it('parses output_schema JSON, repairs once, then fails with agent_error', async () => {
    const { server, engine } = await harness();
    const schema =
      '    output_schema: { type: object, required: [verdict], properties: { verdict: { enum: [ok, bad] } } }';
    server.reply(chatText('Sure! here it is: {verdict'), chatText('```json\n{"verdict":"ok"}\n```'));
    const repaired = await runDoc(engine, step(schema), { what: 'x' });
    expect(repaired).toMatchObject({ status: 'completed', output: { verdict: 'ok' } });
    const repairPrompt = (server.seen[1]!.body.messages as { content: string }[]).at(-1)!.content;
    expect(repairPrompt).toContain('It was rejected: not JSON');
    expect(server.seen[0]!.body.response_format).toEqual({ type: 'json_object' });

    server.reply(chatText('{"verdict":"maybe"}'), chatText('{"nope":1}'));
    const failed = await runDoc(engine, step(schema), { what: 'x' });
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({
      code: 'agent_error',
      message: expect.stringContaining('after one repair'),
    });
  });

  it('enforces max_iterations, max_tokens and timeout with distinct codes', async () => {
    const { server, engine } = await harness();
    server.reply(chatTools([{ name: 'echo', args: {} }]), chatTools([{ name: 'echo', args: {} }]));
    const loops = await runDoc(engine, step('    guardrails: { max_iterations: 2 }'), { what: 'x' });
    expect(loops.error).toMatchObject({ code: 'max_iterations_exceeded' });
    expect(server.seen).toHaveLength(2);

    server.reply(chatText('long', { prompt_tokens: 90, completion_tokens: 20, total_tokens: 110 }));
    const tokens = await runDoc(engine, step('    guardrails: { max_tokens: 100 }'), { what: 'x' });
    expect(tokens.error).toMatchObject({ code: 'max_tokens_exceeded', usage: { total_tokens: 110 } });

    server.reply({ ...chatText('late'), delayMs: 3000 });
    const started = Date.now();
    const slow = await runDoc(engine, step('    guardrails: { timeout: 200ms }'), { what: 'x' });
    expect(slow.error).toMatchObject({
      code: 'timeout',
      message: expect.stringContaining('guardrails.timeout'),
    });
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('retries a 429 by the step retry policy', async () => {
    const { server, engine } = await harness();
    server.reply({ status: 429, body: { error: { message: 'slow down' } } }, chatText('second time'));
    const result = await runDoc(engine, step('    retry: { max_attempts: 2, backoff: immediate }'), {
      what: 'x',
    });
    expect(result).toMatchObject({ status: 'completed', output: 'second time' });
    const details = await engine.getRun(result.runId);
    const first = details!.steps.find((s) => s.stepKey === 'review' && s.attempt === 1)!;
    expect(first.error).toMatchObject({ code: 'agent_error', status: 429 });
    expect(JSON.stringify(details)).not.toContain(KEY);
  });

  it('fails with agent_error on answers that are not what the protocol says', async () => {
    const { server, engine } = await harness();
    server.reply({ body: 'this is not json' });
    const notJson = await runDoc(engine, step(), { what: 'x' });
    expect(notJson.error).toMatchObject({
      code: 'agent_error',
      message: expect.stringContaining('not a Chat Completions'),
    });
    server.reply({ body: { choices: [] } });
    const noChoice = await runDoc(engine, step(), { what: 'x' });
    expect(noChoice.error).toMatchObject({
      code: 'agent_error',
      message: expect.stringContaining('choices[0].message'),
    });
    await server.close();
    const down = await runDoc(engine, step(), { what: 'x' });
    expect(down.error).toMatchObject({
      code: 'agent_error',
      message: expect.stringContaining('cannot reach'),
    });
  });

  it("uses the agent's configured retry when the step sets none", async () => {
    const { server, engine } = await harness({ retry: { max_attempts: 2, backoff: 'immediate' } });
    server.reply({ status: 503, body: 'down' }, chatText('back'));
    const result = await runDoc(engine, step(), { what: 'x' });
    expect(result).toMatchObject({ status: 'completed', output: 'back' });
  });

  it('returns the error of a tool that throws to the model', async () => {
    const { server, engine } = await harness();
    server.reply(chatTools([{ name: 'file__exists', args: { nope: 1 } }]), chatText('handled'));
    const result = await runDoc(engine, step(), { what: 'x' });
    expect(result).toMatchObject({ status: 'completed', output: 'handled' });
    const messages = server.seen[1]!.body.messages as { role: string; content: string }[];
    const toolReply = JSON.parse(messages.find((m) => m.role === 'tool')!.content);
    expect(toolReply.error.code).toBe('validation_failed');
  });

  it('is a circuit breaker target by name; guardrail violations do not trip it', async () => {
    const server = await new ScriptedServer().start();
    servers.push(server);
    const engine = await createEngine({
      store: 'sqlite::memory:',
      circuitBreakers: { targets: { reviewer: { failureThreshold: 1, openForMs: 60_000 } } },
    });
    try {
      engine.registerAgent('reviewer', { type: 'openai', base_url: `${server.url}/v1`, model: 'm' });
      server.reply(chatText('big', { prompt_tokens: 50, completion_tokens: 60, total_tokens: 110 }));
      const guarded = await runDoc(engine, step('    guardrails: { max_tokens: 100 }'), { what: 'x' });
      expect(guarded.error).toMatchObject({ code: 'max_tokens_exceeded' });
      server.reply({ status: 500, body: 'boom' });
      const failed = await runDoc(engine, step(), { what: 'x' });
      expect(failed.error).toMatchObject({ code: 'agent_error', status: 500 });
      const open = await runDoc(engine, step(), { what: 'x' });
      expect(open.error).toMatchObject({ code: 'circuit_open', target: 'reviewer' });
      expect(server.seen).toHaveLength(2);
    } finally {
      await engine.close();
    }
  });

  it('queues invocations beyond max_concurrency', async () => {
    const { server, engine } = await harness({ max_concurrency: 1 });
    server.reply({ ...chatText('a'), delayMs: 150 }, { ...chatText('b'), delayMs: 150 });
    const doc = `name: fan
steps:
  - id: both
    type: parallel
    steps:
      - { id: a, type: agent, agent: reviewer, prompt: a }
      - { id: b, type: agent, agent: reviewer, prompt: b }
`;
    const result = await runDoc(engine, doc);
    expect(result.status).toBe('completed');
    expect(server.maxInFlight).toBe(1);
  });

  it('refuses an unknown agent at load with did-you-mean, and misconfigured adapters', async () => {
    const { engine } = await harness();
    await expect(runDoc(engine, step().replace('agent: reviewer', 'agent: reviewr'))).rejects.toThrow(
      /unknown agent 'reviewr' \(did you mean 'reviewer'\?\)/,
    );
    expect(() =>
      engine.registerAgent('nomodel', { type: 'openai', base_url: 'http://127.0.0.1:1/v1' }),
    ).toThrow(/model is required/);
    expect(() =>
      engine.registerAgent('badurl', { type: 'openai', base_url: 'not a url', model: 'm' }),
    ).toThrow(/is not a URL/);
    expect(() =>
      engine.registerAgent('nokey', {
        type: 'openai',
        base_url: 'http://h/v1',
        model: 'm',
        api_key: '${ secrets.NOPE }',
      }),
    ).toThrow(/secret 'NOPE'/);
  });
});
