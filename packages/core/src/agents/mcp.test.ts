import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chatText, chatTools, ScriptedServer } from '../../test/support/scripted-http.js';
import { runDoc, useStepEngines } from '../../test/support/step-engine.js';
import { createEngine } from '../engine/create-engine.js';
import type { WeftEngine } from '../engine/engine.js';

const SERVER = fileURLToPath(new URL('../../test/support/mcp-stdio-server.mjs', import.meta.url));
const engines: WeftEngine[] = [];
const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
const setup = useStepEngines();

async function mcpEngine(dir: string) {
  const engine = await createEngine({
    store: 'sqlite::memory:',
    cwd: dir,
    mcpServers: { files: { command: [process.execPath, SERVER] } },
  });
  engines.push(engine);
  return engine;
}

describe('MCP servers over stdio', () => {
  it('exposes their tools as skills mcp.<server>.<tool>, usable from skill steps and by agents', async () => {
    const { dir } = await setup();
    const engine = await mcpEngine(dir);
    const sum = await runDoc(
      engine,
      `name: m
steps:
  - { id: add, type: skill, skill: mcp.files.add, inputs: { a: 2, b: 3 } }
  - { id: shout, type: skill, skill: mcp.files.shout_text, inputs: { text: hi } }
  - { id: broken, type: skill, skill: mcp.files.broken, on_error: skip }
`,
    );
    expect(sum.status).toBe('completed');
    const details = await engine.getRun(sum.runId);
    const by = Object.fromEntries(details!.steps.map((s) => [s.stepKey, s]));
    expect(by.add!.output).toEqual({ sum: 5 });
    expect(by.shout!.output).toBe('HI');
    expect(by.broken!.error).toMatchObject({
      code: 'skill_error',
      message: expect.stringContaining('disk on fire'),
    });

    const model = await new ScriptedServer().start();
    servers.push(model);
    engine.registerAgent('calc', {
      type: 'openai',
      base_url: `${model.url}/v1`,
      model: 'm',
      tools: ['mcp.files.add'],
    });
    model.reply(chatTools([{ name: 'mcp__files__add', args: { a: 40, b: 2 } }]), chatText('42'));
    const agent = await runDoc(
      engine,
      'name: a\nsteps:\n  - { id: ask, type: agent, agent: calc, prompt: "add" }\n',
    );
    expect(agent).toMatchObject({ status: 'completed', output: '42' });
    const offered = (
      model.seen[0]!.body.tools as { function: { name: string; parameters: { properties: object } } }[]
    )[0]!;
    expect(offered.function).toMatchObject({
      name: 'mcp__files__add',
      parameters: { properties: { a: {}, b: {} } },
    });
    const toolMessage = (model.seen[1]!.body.messages as { role: string; content: string }[]).find(
      (m) => m.role === 'tool',
    )!;
    expect(JSON.parse(toolMessage.content)).toEqual({ sum: 42 });
  });

  it('speaks streamable HTTP to a server given by url', async () => {
    const http = createServer(async (req, res) => {
      // Stateless: a server and transport per request.
      const server = new McpServer({ name: 'remote', version: '1.0.0' });
      server.registerTool(
        'greet',
        { description: 'Greets', inputSchema: { name: z.string() } },
        async ({ name }) => ({
          content: [{ type: 'text', text: `hello ${name}` }],
          structuredContent: { greeting: `hello ${name}` },
        }),
      );
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res);
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const { dir } = await setup();
      const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
      const engine = await createEngine({
        store: 'sqlite::memory:',
        cwd: dir,
        mcpServers: { remote: { url } },
      });
      engines.push(engine);
      const result = await runDoc(
        engine,
        'name: r\nsteps:\n  - { id: hi, type: skill, skill: mcp.remote.greet, inputs: { name: Ada } }\n',
      );
      expect(result).toMatchObject({ status: 'completed', output: { greeting: 'hello Ada' } });
    } finally {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
  });

  it('refuses a server that cannot start, naming it', async () => {
    const { dir } = await setup();
    await expect(
      createEngine({
        store: 'sqlite::memory:',
        cwd: dir,
        mcpServers: { nope: { command: ['/nonexistent/mcp-server'] } },
      }),
    ).rejects.toThrow(/MCP server 'nope' did not start/);
  });
});
