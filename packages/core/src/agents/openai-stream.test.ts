import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { chatStream, chatStreamTool, chatText, ScriptedServer } from '../../test/support/scripted-http.js';
import { runDoc, useStepEngines } from '../../test/support/step-engine.js';
import { createEngine } from '../engine/create-engine.js';
import type { WeftEngine } from '../engine/engine.js';

const setup = useStepEngines();
const servers: ScriptedServer[] = [];
const engines: WeftEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server() {
  const started = await new ScriptedServer().start();
  servers.push(started);
  return started;
}

const doc = (extra = '') => `name: streamed
steps:
  - id: write
    type: agent
    agent: writer
    prompt: Write a haiku
${extra}`;

describe('openai adapter with stream: true', () => {
  it('emits the streamed text as step.progress events and answers with all of it', async () => {
    const scripted = await server();
    const { engine } = await setup();
    engine.registerAgent('writer', {
      type: 'openai',
      base_url: `${scripted.url}/v1`,
      model: 'm',
      stream: true,
      tools: ['echo'],
    });
    scripted.reply(chatStreamTool('echo', { line: 'old pond' }), chatStream(['An old ', 'silent ', 'pond']));
    const live: string[] = [];
    engine.on('step.progress', (event) => {
      if (event.data.kind === 'tokens') live.push(String(event.data.value));
    });
    const result = await runDoc(engine, doc());
    expect(result).toMatchObject({ status: 'completed', output: 'An old silent pond' });
    expect(scripted.seen[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    // The tool call came in two chunks and was put together before the skill ran.
    const toolReply = (scripted.seen[1]!.body.messages as { role: string; content: string }[]).find(
      (m) => m.role === 'tool',
    );
    expect(JSON.parse(toolReply!.content)).toEqual({ line: 'old pond' });
    expect(live.join('')).toBe('An old silent pond');
    const stored = (await engine.store.getEvents(result.runId)).filter((e) => e.type === 'step.progress');
    expect(stored.map((e) => (e.data as { value: string }).value).join('')).toBe('An old silent pond');
    expect(stored.every((e) => e.stepKey === 'write')).toBe(true);
    const details = await engine.getRun(result.runId);
    const record = details!.steps.find((s) => s.status === 'completed')!;
    expect(record.meta).toMatchObject({ usage: { total_tokens: 30 }, iterations: 2 });
  });

  it('streams when the step says so, though the agent does not', async () => {
    const scripted = await server();
    const { engine } = await setup();
    engine.registerAgent('writer', { type: 'openai', base_url: `${scripted.url}/v1`, model: 'm' });
    scripted.reply(chatStream(['one ', 'two']), chatText('plain'));
    const streamed = await runDoc(engine, doc('    stream: true'));
    expect(streamed).toMatchObject({ status: 'completed', output: 'one two' });
    const plain = await runDoc(engine, doc());
    expect(plain).toMatchObject({ status: 'completed', output: 'plain' });
    expect(scripted.seen[1]!.body.stream).toBeUndefined();
    const events = await engine.store.getEvents(plain.runId);
    expect(events.some((e) => e.type === 'step.progress')).toBe(false);
  });

  it('fails with agent_error on a stream whose data is not JSON', async () => {
    const scripted = await server();
    const { engine } = await setup();
    engine.registerAgent('writer', {
      type: 'openai',
      base_url: `${scripted.url}/v1`,
      model: 'm',
      stream: true,
    });
    scripted.reply({ sse: [{ choices: [{ delta: { content: 'ok' } }] }, '{not json'] });
    const result = await runDoc(engine, doc());
    expect(result.error).toMatchObject({
      code: 'agent_error',
      message: expect.stringContaining('not Chat Completions chunks'),
    });
  });
});

describe('API keys in logs', () => {
  it('never writes the key to the pino log at debug level, even when the server echoes it', async () => {
    const KEY = 'sk-live-NEVER-LOG-ME-9f8e7d';
    const scripted = await server();
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const engine = await createEngine({
      store: 'sqlite::memory:',
      logger: pino({ level: 'debug' }, sink),
      agents: {
        writer: { type: 'openai', base_url: `${scripted.url}/v1`, model: 'm', api_key: KEY, stream: true },
      },
    });
    engines.push(engine);
    scripted.reply(
      { status: 401, body: { error: { message: `Incorrect API key provided: ${KEY}` } } },
      chatStream(['fine']),
    );
    const result = await runDoc(engine, doc('    retry: { max_attempts: 2, backoff: immediate }'));
    expect(result).toMatchObject({ status: 'completed', output: 'fine' });
    expect(scripted.seen.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    const log = lines.join('');
    // The log did see the run at debug level: the failed attempt, its retry and the streamed text.
    expect(log).toContain('"step.failed"');
    expect(log).toContain('Incorrect API key provided: ***');
    expect(log).toContain('"step.progress"');
    expect(log).not.toContain(KEY);
    expect(Buffer.from(log).includes(Buffer.from(KEY))).toBe(false);
    const details = await engine.getRun(result.runId);
    const events = await engine.store.getEvents(result.runId);
    expect(JSON.stringify({ details, events })).not.toContain(KEY);
  });
});
