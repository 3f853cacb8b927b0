import type { FoundTemplate, Instantiated, InstantiateOptions } from '@weft/core';
import { parse } from 'yaml';
import { askParameters } from './ask-parameters.js';
import { workflowNameCheck } from './checks.js';
import type { WizardSession } from './session.js';
import { afterWriting, type CreateActions } from './wizard.js';
import { chooseFile, writeDocument } from './write-workflow.js';

/** The part of `Templates` (@weft/core) the wizard uses. */
export interface TemplateSource {
  get(name: string): Promise<FoundTemplate>;
  instantiate(
    name: string,
    parameters: Record<string, unknown>,
    options: InstantiateOptions,
  ): Promise<Instantiated>;
}

/**
 * `weft create --from-template <t>`: asks the template's parameters and the workflow's name,
 * instantiates it (a new registered workflow version), writes the document, validates it and
 * offers to run the registered workflow.
 */
export async function createFromTemplate(
  session: WizardSession,
  templates: TemplateSource,
  actions: CreateActions,
  options: { template: string; output?: string },
): Promise<number> {
  const { prompts, core } = session;
  const found = await templates.get(options.template);
  const { template } = found;
  const from = found.builtin ? 'built-in template' : `template version ${found.version}`;
  session.say(`${template.name} (${from})${template.description ? `: ${template.description}` : ''}`);
  const parameters = await askParameters(session, template);
  const nameCheck = workflowNameCheck(core);
  const workflow = await prompts.input({
    message: 'Name of the workflow it makes',
    default: nameCheck(template.name) === true ? template.name : undefined,
    required: true,
    validate: nameCheck,
  });
  if (session.catalog.workflows.includes(workflow)) {
    const again = await prompts.confirm({
      message: `Workflow '${workflow}' is registered already. Push this as its new active version?`,
      default: false,
    });
    if (!again) {
      session.say('Nothing was changed; run weft create --from-template again with another name');
      return 0;
    }
  }
  const file = await chooseFile(session, workflow, options.output);
  const made = await templates.instantiate(options.template, parameters, { workflow });
  session.say(made.push.message);
  const shown = await writeDocument(session, file, made.source);
  session.say(`Wrote ${shown}`);
  const document = parse(made.source) as Record<string, unknown>;
  return afterWriting(session, actions, {
    file: shown,
    runTarget: workflow,
    takesInput: document.inputs !== undefined,
  });
}
