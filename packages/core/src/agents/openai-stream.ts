interface ToolCallDelta {
  index?: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

interface ChunkChoice {
  delta?: { content?: string | null; tool_calls?: ToolCallDelta[] };
}

/**
 * Reads a streamed Chat Completions answer (`stream: true`: server-sent events whose `data:` lines
 * are chunks, then `data: [DONE]`) and puts it together as the non-streamed answer would be:
 * `{ choices: [{ message }], usage }`. `onText` gets the text of each network read as it comes.
 * Throws on a `data:` line that is not a JSON object.
 */
export async function readChatStream(
  body: ReadableStream<Uint8Array>,
  onText: (text: string) => void,
): Promise<Record<string, unknown>> {
  const decoder = new TextDecoder();
  let buffered = '';
  let content = '';
  let sawContent = false;
  const calls: { id: string; type: string; function: { name: string; arguments: string } }[] = [];
  let usage: unknown;
  let done = false;
  const take = (line: string): string => {
    if (!line.startsWith('data:')) return '';
    const data = line.slice(5).trim();
    if (data === '[DONE]') {
      done = true;
      return '';
    }
    if (data === '') return '';
    const chunk = JSON.parse(data) as { choices?: ChunkChoice[]; usage?: unknown } | null;
    if (!chunk || typeof chunk !== 'object' || Array.isArray(chunk))
      throw new Error(`expected a JSON object after 'data:', got ${data.slice(0, 80)}`);
    if (chunk.usage) usage = chunk.usage;
    const delta = chunk.choices?.[0]?.delta;
    for (const call of delta?.tool_calls ?? []) {
      const at = call.index ?? calls.length;
      calls[at] ??= { id: '', type: 'function', function: { name: '', arguments: '' } };
      const slot = calls[at];
      if (call.id) slot.id = call.id;
      if (call.function?.name) slot.function.name += call.function.name;
      if (call.function?.arguments) slot.function.arguments += call.function.arguments;
    }
    if (typeof delta?.content === 'string') {
      sawContent = true;
      content += delta.content;
      return delta.content;
    }
    return '';
  };
  const reader = body.getReader();
  try {
    while (!done) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      buffered += decoder.decode(value, { stream: true });
      const lines = buffered.split(/\r?\n/);
      buffered = lines.pop() ?? '';
      let text = '';
      for (const line of lines) text += take(line);
      if (text) onText(text);
    }
    const rest = take(buffered.trim());
    if (rest) onText(rest);
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => {});
  }
  const toolCalls = calls.filter(Boolean);
  const message = {
    role: 'assistant',
    content: sawContent || toolCalls.length === 0 ? content : null,
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
  };
  return { choices: [{ index: 0, message }], ...(usage ? { usage } : {}) };
}
