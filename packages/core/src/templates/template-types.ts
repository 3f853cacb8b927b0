import type { PushOutcome } from '../registry/registry.js';

/** The types a template parameter may have; agent, workflow and skill must name one that exists. */
export type TemplateParameterType =
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'enum'
  | 'duration'
  | 'agent'
  | 'workflow'
  | 'skill';

export interface TemplateParameter {
  type: TemplateParameterType;
  description?: string;
  /** Default false; a parameter with a `default` is never missing. */
  required?: boolean;
  default?: unknown;
  /** `enum` only: the allowed values. */
  values?: string[];
  /** `string` only: a regular expression the whole value must match. */
  pattern?: string;
}

/**
 * A template: typed `parameters` and a `workflow` body in which `{{ name }}` placeholders are
 * replaced at instantiation (a value that is exactly one placeholder keeps the parameter's type).
 */
export interface TemplateDefinition {
  name: string;
  description?: string;
  parameters: Record<string, TemplateParameter>;
  workflow: Record<string, unknown>;
}

/** A template as found: registered (with its version), or from the built-in library (version null). */
export interface FoundTemplate {
  template: TemplateDefinition;
  source: string;
  version: number | null;
  builtin: boolean;
  /** Where its problems point: `template:<name>@<version>`, or `template:<name>` for a built-in. */
  file: string;
}

export interface InstantiateOptions {
  /** The name of the workflow it makes (`--name`). */
  workflow: string;
  /** The template version; default its active one. */
  version?: number;
  /** The new workflow version's status; default `active`. */
  status?: 'draft' | 'active';
  message?: string;
}

export interface Instantiated {
  /** The workflow document made (YAML). */
  source: string;
  /** The workflow version it was pushed as; its origin records the template, version and parameters. */
  push: PushOutcome;
}

/** One thing wrong with the parameters of an instantiation; `parameter` is null for `--name`. */
export interface ParameterProblem {
  parameter: string | null;
  message: string;
}

/** One template as `weft templates list` shows it: registered (with versions) or built in. */
export interface TemplateSummary {
  name: string;
  description: string | null;
  builtin: boolean;
  /** A built-in hidden by a registered template of the same name (the registered one is used). */
  shadowed: boolean;
  parameters: string[];
  /** Registered only (else null / 0): newest and active version, how many, last change. */
  latest: number | null;
  active: number | null;
  versions: number;
  updatedAt: number | null;
}
