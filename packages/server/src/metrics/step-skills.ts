import { loadWorkflow, type Store } from '@weft/core';

const MAX_RUNS = 1000;
const MAX_DOCUMENTS = 200;

/** The skill each step of a run calls, read once per document, for the `skill` label of step metrics. */
export class StepSkills {
  readonly #byRun = new Map<string, Promise<ReadonlyMap<string, string>>>();
  readonly #byDocument = new Map<string, ReadonlyMap<string, string>>();

  constructor(private readonly store: Store) {}

  async skillOf(runId: string, stepId: string): Promise<string> {
    let skills = this.#byRun.get(runId);
    if (!skills) {
      skills = this.#load(runId).catch(() => new Map());
      remember(this.#byRun, runId, skills, MAX_RUNS);
    }
    return (await skills).get(stepId) ?? 'unknown';
  }

  async #load(runId: string): Promise<ReadonlyMap<string, string>> {
    const run = await this.store.getRun(runId);
    if (!run) return new Map();
    const cached = this.#byDocument.get(run.documentHash);
    if (cached) return cached;
    const doc = await this.store.getDocument(run.documentHash);
    const skills = new Map<string, string>();
    if (doc) collect(loadWorkflow(doc.source).document, skills);
    remember(this.#byDocument, run.documentHash, skills, MAX_DOCUMENTS);
    return skills;
  }
}

function collect(node: unknown, into: Map<string, string>): void {
  if (Array.isArray(node)) for (const item of node) collect(item, into);
  else if (node !== null && typeof node === 'object') {
    const { id, skill } = node as Record<string, unknown>;
    if (typeof id === 'string' && typeof skill === 'string') into.set(id, skill);
    for (const value of Object.values(node)) collect(value, into);
  }
}

function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as K);
}
