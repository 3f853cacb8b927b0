import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ScriptedServer } from '../../test/support/scripted-http.js';
import { runDoc, useStepEngines } from '../../test/support/step-engine.js';
import { parseConfigFile } from '../config/load-config.js';
import { AgentRegistry } from './registry.js';

const setup = useStepEngines();
const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const doc = (extra = '') => `name: a
steps:
  - id: ask
    type: agent
    agent: helper
    prompt: "Summarise \${ inputs.topic }"
    inputs: { topic: "\${ inputs.topic }" }
${extra}`;

describe('jsonrpc adapter', () => {
  it('calls the configured method with prompt, inputs and guardrails; maps errors with their code', async () => {
    const server = await new ScriptedServer().start();
    servers.push(server);
    const { engine } = await setup();
    engine.registerAgent('helper', {
      type: 'jsonrpc',
      url: `${server.url}/rpc`,
      method: 'agents.run',
      api_key: 'rpc-KEY-77',
    });
    server.reply((body) => ({
      body: {
        jsonrpc: '2.0',
        id: body.id,
        result: { output: { summary: 'short' }, usage: { prompt_tokens: 3, completion_tokens: 2 } },
      },
    }));
    const ok = await runDoc(
      engine,
      doc('    output_schema: { type: object, required: [summary] }\n    guardrails: { max_iterations: 3 }'),
      { topic: 'cats' },
    );
    expect(ok).toMatchObject({ status: 'completed', output: { summary: 'short' } });
    const request = server.seen[0]!.body;
    expect(request).toMatchObject({
      jsonrpc: '2.0',
      method: 'agents.run',
      params: { prompt: 'Summarise cats', inputs: { topic: 'cats' }, guardrails: { max_iterations: 3 } },
    });
    const details = await engine.getRun(ok.runId);
    expect(details!.steps.find((s) => s.stepKey === 'ask')!.meta).toMatchObject({
      usage: { total_tokens: 5 },
    });
    expect(JSON.stringify(details)).not.toContain('rpc-KEY-77');

    server.reply((body) => ({
      body: { jsonrpc: '2.0', id: body.id, error: { code: -32001, message: 'model overloaded' } },
    }));
    const failed = await runDoc(engine, doc(), { topic: 'dogs' });
    expect(failed.error).toMatchObject({
      code: 'agent_error',
      rpc_code: -32001,
      message: expect.stringContaining('model overloaded'),
    });

    server.reply({ body: '{"not":"jsonrpc"}' });
    const bad = await runDoc(engine, doc(), { topic: 'x' });
    expect(bad.error).toMatchObject({
      code: 'agent_error',
      message: expect.stringContaining('not a JSON-RPC 2.0 response'),
    });
  });
});

describe('command adapter', () => {
  it('builds argv and stdin from the prompt and inputs, reads stdout as text or JSON', async () => {
    const { engine, dir } = await setup();
    const script = join(dir, 'agent.mjs');
    writeFileSync(
      script,
      `let input = '';
process.stdin.on('data', (c) => (input += c));
process.stdin.on('end', () => {
  const mode = process.argv[2];
  if (mode === 'sleep') return setTimeout(() => console.log('late'), 10000);
  if (mode === 'fail') { console.error('boom'); process.exit(3); }
  if (mode === 'json') {
    const req = JSON.parse(input);
    console.log(JSON.stringify({ echoed: req.inputs.topic, prompt: req.prompt, usage: { total_tokens: 7 } }));
  } else console.log('argv:' + process.argv[3] + ' stdin:' + input.split('\\n')[0]);
});
`,
    );
    const node = process.execPath;
    engine.registerAgent('helper', { type: 'command', command: [node, script, 'text', '{prompt}'] });
    const text = await runDoc(engine, doc(), { topic: 'owls' });
    expect(text).toMatchObject({ status: 'completed', output: 'argv:Summarise owls stdin:Summarise owls' });

    const { engine: e2 } = await setup(dir);
    e2.registerAgent('helper', {
      type: 'command',
      command: [node, script, 'json'],
      stdin: 'json',
      output: 'json',
    });
    const json = await runDoc(e2, doc('    output_schema: { type: object, required: [echoed] }'), {
      topic: 'owls',
    });
    expect(json).toMatchObject({ status: 'completed', output: { echoed: 'owls', prompt: 'Summarise owls' } });

    const { engine: e3 } = await setup(dir);
    e3.registerAgent('helper', { type: 'command', command: [node, script, 'fail'] });
    const failed = await runDoc(e3, doc(), { topic: 'x' });
    expect(failed.error).toMatchObject({
      code: 'agent_error',
      exit_code: 3,
      message: expect.stringContaining('boom'),
    });

    const { engine: e4 } = await setup(dir);
    e4.registerAgent('helper', { type: 'command', command: [node, script, 'sleep'], timeout: '300ms' });
    const started = Date.now();
    const slow = await runDoc(e4, doc(), { topic: 'x' });
    expect(slow.error).toMatchObject({ code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('agents in weft.config.yaml', () => {
  it('parses agents: and resolves keys from secrets without exposing them', () => {
    const config = parseConfigFile(
      'weft.config.yaml',
      `agents:
  reviewer:
    type: openai
    base_url: http://127.0.0.1:1/v1
    model: llama3
    api_key: \${ secrets.OPENAI_KEY }
    tools: [file.read]
    max_concurrency: 2
    timeout: 2m
`,
    );
    expect(config.agents?.reviewer).toMatchObject({ type: 'openai', timeout: 120_000, max_concurrency: 2 });
    const registry = new AgentRegistry({ OPENAI_KEY: 'sk-hidden' });
    registry.register('reviewer', config.agents!.reviewer!);
    const listed = registry.require('reviewer');
    expect(listed).toMatchObject({
      type: 'openai',
      tools: ['file.read'],
      maxConcurrency: 2,
      timeout: 120_000,
    });
    expect(JSON.stringify({ ...listed, slots: undefined })).not.toContain('sk-hidden');
    expect(() => registry.require('reviwer')).toThrow(/did you mean 'reviewer'/);
    expect(() => parseConfigFile('weft.config.yaml', 'agents:\n  x: { type: smoke }\n')).toThrow(/agents/);
  });
});
