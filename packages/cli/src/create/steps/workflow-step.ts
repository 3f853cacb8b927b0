import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { askValues } from '../ask-values.js';
import type { Validation } from '../prompt-set.js';
import type { StepQuestions } from './types.js';

const A_FILE = Symbol('a file path');
const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * `type: workflow`: a registered workflow (its active version runs), or a document file. A file is
 * kept absolute here and written relative to the new document (write-workflow.ts).
 */
export const workflowStep: StepQuestions = {
  type: 'workflow',
  description: 'run another workflow as a child run',
  retries: true,
  async ask({ session }, id) {
    const picked = await session.prompts.select<string | typeof A_FILE>({
      message: `Workflow for '${id}'`,
      choices: [
        ...session.catalog.workflows.map((name) => ({
          value: name,
          name,
          description: 'registered workflow',
        })),
        { value: A_FILE, name: 'a file path...', description: 'a .yaml, .yml or .json document' },
      ],
    });
    const workflow =
      picked === A_FILE
        ? resolve(
            session.cwd,
            await session.prompts.input({
              message: 'Path of the workflow document (relative to here)',
              required: true,
              validate: (path) => documentCheck(resolve(session.cwd, path), path),
            }),
          )
        : picked;
    const inputs = await askValues(session, { what: 'child run input' });
    return Object.keys(inputs).length === 0 ? { workflow } : { workflow, inputs };
  },
};

function documentCheck(path: string, given: string): Validation {
  if (!EXTENSIONS.has(extname(path))) return `expected a .yaml, .yml or .json file, got '${given}'`;
  if (!existsSync(path) || !statSync(path).isFile()) return `no file '${given}' here`;
  return true;
}
