import { dirname } from 'node:path';
import { type Engine, formatProblem, loadWorkflow, type RunRecord, WeftError } from '@weft/core';
import { apiError } from '../errors/api-error.js';
import { KeyedLock, runIdForKey } from './idempotency.js';
import { shellUsesDeep } from './shell-policy.js';
import { resolveWorkflowSource, type WorkflowSourceBody } from './workflow-source.js';

export interface StartRunBody extends WorkflowSourceBody {
  input?: unknown;
}

export interface RunStarterOptions {
  engine: Engine;
  allowShell: boolean;
  /** Skills the engine knows, so an unknown skill is a problem of the document (400). */
  skillNames: ReadonlySet<string>;
  workflowsDir: string;
}

export interface Started {
  run: RunRecord;
  /** False when an earlier request with the same Idempotency-Key made the run. */
  created: boolean;
}

/** Checks a document against the server's policy, then starts it (once per idempotency key). */
export class RunStarter {
  readonly #lock = new KeyedLock();

  constructor(private readonly options: RunStarterOptions) {}

  async start(body: StartRunBody, idempotencyKey?: string): Promise<Started> {
    const { engine } = this.options;
    const src = await resolveWorkflowSource(body, this.options.workflowsDir, engine.workflows);
    const { document, problems } = loadWorkflow(src.source, {
      file: src.file,
      skills: this.options.skillNames,
    });
    if (!document || problems.length > 0) {
      throw new WeftError('invalid_document', problems.map(formatProblem).join('\n'), {
        details: { problems },
      });
    }
    if (!this.options.allowShell) {
      const dirs =
        src.path === null ? [this.options.workflowsDir] : [dirname(src.path), this.options.workflowsDir];
      const uses = await shellUsesDeep(document, { dirs });
      if (uses.length > 0) {
        throw apiError(
          'forbidden',
          `workflow '${document.name}' uses the shell skill (${uses.join(', ')}); this server runs shell steps only when started with --allow-shell (allowShell)`,
          { uses },
        );
      }
    }
    const ref = src.registered
      ? src.registered
      : src.path === null
        ? { source: src.source }
        : { source: src.source, path: src.path };
    const launch = async (runId?: string): Promise<Started> => {
      const handle = await engine.start(ref, body.input, { runId, meta: { origin: 'api' } });
      const run = await engine.store.getRun(handle.runId);
      if (!run) throw new WeftError('store_error', `run ${handle.runId} was started but is not in the store`);
      return { run, created: true };
    };
    if (idempotencyKey === undefined) return launch();
    const runId = runIdForKey(idempotencyKey);
    return this.#lock.run(runId, async () => {
      let existing = await engine.store.getRun(runId);
      if (!existing) {
        try {
          return await launch(runId);
        } catch (error) {
          // Another server on the same store started the run with this key a moment before.
          existing = await engine.store.getRun(runId);
          if (!existing) throw error;
        }
      }
      if (existing.workflow !== document.name) {
        throw apiError(
          'conflict',
          `Idempotency-Key '${idempotencyKey}' was used for run ${runId} of workflow '${existing.workflow}', not '${document.name}'`,
          { run_id: runId, workflow: existing.workflow },
        );
      }
      return { run: existing, created: false };
    });
  }
}
