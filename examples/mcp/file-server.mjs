// An MCP server over stdio, built with the MCP SDK: read-only file tools over one folder.
// Usage: node file-server.mjs <folder>   (Weft starts it from `mcp_servers:` in weft.config.yaml)
import { readdir, readFile } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const root = resolve(process.argv[2] ?? '.');

/** A path inside the folder, or an error: the tools never read outside it. */
function inside(path) {
  const full = resolve(root, path);
  const rel = relative(root, full);
  if (rel === '' || rel.startsWith('..') || rel.split(sep).includes('..')) {
    throw new Error(`'${path}' is outside the folder this server shares`);
  }
  return full;
}

const server = new McpServer({ name: 'weft-example-files', version: '1.0.0' });
server.registerTool(
  'list_files',
  { description: 'Lists the files of the shared folder', inputSchema: {} },
  async () => {
    const entries = await readdir(root, { withFileTypes: true });
    const files = entries
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort();
    return { content: [{ type: 'text', text: JSON.stringify(files) }] };
  },
);
server.registerTool(
  'read_file',
  { description: 'Reads a text file of the shared folder', inputSchema: { path: z.string() } },
  async ({ path }) => {
    try {
      return { content: [{ type: 'text', text: await readFile(inside(path), 'utf8') }] };
    } catch (error) {
      return { isError: true, content: [{ type: 'text', text: error.message }] };
    }
  },
);
await server.connect(new StdioServerTransport());
