import { askSchemaInputs } from '../ask-values.js';
import type { StepQuestions } from './types.js';

/** `type: skill`: one of the known skills (built-ins, the config's modules, MCP tools), then its inputs. */
export const skillStep: StepQuestions = {
  type: 'skill',
  description: 'run a skill (shell, http, file.*, your own...)',
  retries: true,
  unavailable: (session) => (session.catalog.skills.length === 0 ? 'no skills are known' : undefined),
  async ask({ session }, id) {
    const skill = await session.prompts.select({
      message: `Skill for '${id}'`,
      choices: session.catalog.skills.map((s) => ({
        value: s.name,
        name: s.name,
        description: s.description,
      })),
    });
    const info = session.catalog.skills.find((s) => s.name === skill);
    const inputs = await askSchemaInputs(session, skill, info?.input);
    return Object.keys(inputs).length === 0 ? { skill } : { skill, inputs };
  },
};
