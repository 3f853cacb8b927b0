import { z } from 'zod';
import { WeftError } from '../errors.js';
import { type AnySkill, defineSkill } from '../skills/types.js';

/** One entry of `mcp_servers:`: a stdio server (`command`) or a streamable HTTP one (`url`). */
export const mcpServerSettingSchema = z
  .strictObject({
    command: z.array(z.string().min(1)).min(1).optional(),
    env: z.record(z.string(), z.string()).optional(),
    cwd: z.string().min(1).optional(),
    url: z.string().url().optional(),
    headers: z.record(z.string(), z.string()).optional(),
  })
  .refine((s) => (s.command === undefined) !== (s.url === undefined), {
    message: 'expected either command (stdio) or url (streamable HTTP)',
  });

export type McpServerSetting = z.output<typeof mcpServerSettingSchema>;

/** `mcp_servers: { <name>: {...} }`. */
export const mcpServersSetting = z.record(
  z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a lower-case name like files'),
  mcpServerSettingSchema,
);

/** The connected servers: their tools as skills `mcp.<server>.<tool>`, and how to close them. */
export interface McpConnections {
  skills: AnySkill[];
  close(): Promise<void>;
}

interface McpClient {
  listTools(): Promise<{
    tools: { name: string; description?: string; inputSchema: Record<string, unknown> }[];
  }>;
  callTool(
    params: { name: string; arguments?: Record<string, unknown> },
    resultSchema?: undefined,
    options?: { signal?: AbortSignal },
  ): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** A skill name part: lower case, `[a-z0-9_]`. */
function namePart(name: string): string {
  const part = name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return /^[a-z]/.test(part) ? part : `t_${part}`;
}

/** What a tool call answers: `structuredContent`, else its text (parsed when it is JSON). */
function toolOutput(server: string, tool: string, result: Record<string, unknown>): unknown {
  const content = Array.isArray(result.content) ? (result.content as { type: string; text?: string }[]) : [];
  const text = content
    .filter((c) => c.type === 'text')
    .map((c) => c.text ?? '')
    .join('\n');
  if (result.isError === true) {
    throw new WeftError(
      'skill_error',
      `MCP tool '${tool}' of server '${server}' failed: ${text || 'no message'}`,
    );
  }
  if (result.structuredContent !== undefined) return result.structuredContent;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Connects to the MCP servers and lists their tools. The SDK is imported here only (it is heavy).
 * A server that cannot start or list its tools fails with `invalid_config` naming it.
 */
export async function connectMcpServers(
  settings: Readonly<Record<string, McpServerSetting>>,
  options: { cwd: string },
): Promise<McpConnections> {
  const clients: McpClient[] = [];
  const close = async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
  };
  const skills: AnySkill[] = [];
  if (Object.keys(settings).length === 0) return { skills, close };
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  try {
    for (const [server, setting] of Object.entries(settings)) {
      const client = new Client({ name: 'weft', version: '1' });
      let transport: Parameters<typeof client.connect>[0];
      if (setting.command) {
        const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
        const env = Object.fromEntries(
          Object.entries({ ...process.env, ...setting.env }).filter(
            (e): e is [string, string] => e[1] !== undefined,
          ),
        );
        transport = new StdioClientTransport({
          command: setting.command[0]!,
          args: setting.command.slice(1),
          env,
          cwd: setting.cwd ?? options.cwd,
          stderr: 'ignore',
        });
      } else {
        const { StreamableHTTPClientTransport } = await import(
          '@modelcontextprotocol/sdk/client/streamableHttp.js'
        );
        transport = new StreamableHTTPClientTransport(new URL(setting.url!), {
          requestInit: { headers: setting.headers ?? {} },
        });
      }
      try {
        await client.connect(transport);
        clients.push(client as unknown as McpClient);
      } catch (error) {
        throw new WeftError(
          'invalid_config',
          `MCP server '${server}' did not start: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
      const { tools } = await (client as unknown as McpClient).listTools();
      for (const tool of tools) skills.push(toolSkill(server, tool, client as unknown as McpClient));
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { skills, close };
}

function toolSkill(
  server: string,
  tool: { name: string; description?: string; inputSchema: Record<string, unknown> },
  client: McpClient,
): AnySkill {
  const { $schema: _ignored, ...input } = tool.inputSchema ?? { type: 'object' };
  return defineSkill<Record<string, unknown>>({
    name: `mcp.${server}.${namePart(tool.name)}`,
    description: tool.description ?? `${tool.name} (MCP server ${server})`,
    input,
    async run(args, ctx) {
      const result = await client.callTool({ name: tool.name, arguments: args }, undefined, {
        signal: ctx.signal,
      });
      return toolOutput(server, tool.name, result);
    },
  });
}
