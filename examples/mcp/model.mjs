// A scripted stand-in for a model: an OpenAI-compatible Chat Completions server on 127.0.0.1
// that uses the file tools it is offered (list, then read each file) and reports line counts.
// Run it, then point the agent at the URL it prints: WEFT_SECRET_MODEL_URL=<url> weft run summarize.yaml
// (or set MODEL_URL to a real endpoint such as Ollama's http://127.0.0.1:11434/v1).
import { createServer } from 'node:http';

const usage = { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 };

function answer(message) {
  return {
    id: 'scripted',
    object: 'chat.completion',
    choices: [{ index: 0, message, finish_reason: 'stop' }],
    usage,
  };
}

function toolCalls(calls) {
  return answer({
    role: 'assistant',
    content: null,
    tool_calls: calls.map(([id, name, args]) => ({
      id,
      type: 'function',
      function: { name, arguments: JSON.stringify(args) },
    })),
  });
}

function reply(body) {
  const offered = new Set((body.tools ?? []).map((t) => t.function.name));
  const list = offered.has('mcp__files__list_files') ? 'mcp__files__list_files' : undefined;
  const read = offered.has('mcp__files__read_file') ? 'mcp__files__read_file' : undefined;
  const results = body.messages.filter((m) => m.role === 'tool');
  if (!list || !read) return answer({ role: 'assistant', content: '{"files":[],"total_lines":0}' });
  const listed = results.find((m) => m.tool_call_id === 'list');
  if (!listed) return toolCalls([['list', list, {}]]);
  const reads = results.filter((m) => m.tool_call_id.startsWith('read:'));
  if (reads.length === 0) {
    const names = JSON.parse(listed.content);
    return toolCalls(names.map((name) => [`read:${name}`, read, { path: name }]));
  }
  const files = reads.map((m) => {
    const text = JSON.parse(m.content);
    return { name: m.tool_call_id.slice(5), lines: text.split('\n').filter(Boolean).length };
  });
  const total_lines = files.reduce((sum, f) => sum + f.lines, 0);
  return answer({ role: 'assistant', content: JSON.stringify({ files, total_lines }) });
}

const server = createServer((req, res) => {
  let text = '';
  req.on('data', (chunk) => (text += chunk));
  req.on('end', () => {
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(reply(JSON.parse(text))));
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}/v1\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
