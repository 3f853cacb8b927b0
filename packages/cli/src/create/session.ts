import type { WeftCore } from '../context.js';
import type { Catalog } from './catalog.js';
import type { PromptSet } from './prompt-set.js';

/** A step as the wizard builds it: the mapping written to the document. */
export type Step = Record<string, unknown>;

/** What every question needs: where to ask, the engine library's checks, what there is to pick. */
export interface WizardSession {
  prompts: PromptSet;
  core: WeftCore;
  catalog: Catalog;
  /** Relative paths in answers are relative to this directory. */
  cwd: string;
  /** A line for the person at the terminal (stderr in the CLI). */
  say(line: string): void;
  /** The file written, once it is (a cancel after that leaves it in place). */
  written?: string;
}

/** Asking the steps of one document: step ids are unique in all of it, nested lists included. */
export interface StepScope {
  session: WizardSession;
  ids: Set<string>;
  /** Asks a nested list (a parallel's children, a branch): at least one step, no `needs`. */
  askNested(label: string): Promise<Step[]>;
}
