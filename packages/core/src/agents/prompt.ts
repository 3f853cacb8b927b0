import type { AgentRequest } from './types.js';

/** The user message of an invocation: the prompt, the inputs as JSON, and the output contract. */
export function userMessage(request: AgentRequest): string {
  const parts = [request.prompt];
  const inputs = request.inputs;
  if (
    inputs !== undefined &&
    inputs !== null &&
    !(typeof inputs === 'object' && Object.keys(inputs).length === 0)
  ) {
    parts.push(`Inputs (JSON):\n${JSON.stringify(inputs, null, 2)}`);
  }
  if (request.outputSchema) {
    parts.push(
      `Answer with only a JSON value (no prose, no code fence) matching this JSON Schema:\n${JSON.stringify(request.outputSchema)}`,
    );
  }
  return parts.join('\n\n');
}
