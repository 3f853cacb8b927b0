import { askValues } from '../ask-values.js';
import { requiredText } from '../checks.js';
import type { StepQuestions } from './types.js';

/** `type: agent`: one of the agents of weft.config.yaml and the prompt it gets. */
export const agentStep: StepQuestions = {
  type: 'agent',
  description: 'ask an agent of weft.config.yaml',
  retries: true,
  unavailable: (session) =>
    session.catalog.agents.length === 0 ? 'no agents configured (agents: in weft.config.yaml)' : undefined,
  async ask({ session }, id) {
    const agent = await session.prompts.select({
      message: `Agent for '${id}'`,
      choices: session.catalog.agents.map((a) => ({
        value: a.name,
        name: a.name,
        description: a.description,
      })),
    });
    const prompt = await session.prompts.input({
      message: `Prompt for ${agent} (\${ } expressions allowed)`,
      required: true,
      validate: requiredText('the prompt'),
    });
    const inputs = await askValues(session, { what: `${agent} extra input` });
    return Object.keys(inputs).length === 0 ? { agent, prompt } : { agent, prompt, inputs };
  },
};
