import { WeftError } from '../../errors.js';
import type { AnyWeftEvent } from '../../events/types.js';
import type { RunCommandKind, RunCommandRecord, RunRecord, Store } from '../../store/types.js';
import { TERMINAL_RUN_STATUSES } from '../../store/types.js';
import { formatDuration } from '../../util/duration.js';
import { deadLocalOwners } from '../owner.js';
import type { ControlOptions, ControlResult, ResumedRun, RunHandle, RunResult } from '../types.js';
import type { BatchWriter } from '../writer.js';
import { applyCommand, type Controllable } from './apply-command.js';
import { CommandPoller } from './command-poller.js';
import { type ControlAction, checkControl, requestedState } from './control-rules.js';
import { PauseGate } from './pause-gate.js';
import { followInStore } from './store-follower.js';

/** A run executing in this process. */
export interface LocalRun {
  executor: Controllable;
  result: Promise<RunResult>;
}

/** What the engine lends run control. */
export interface RunControlHost {
  store: Store;
  owner: string;
  leaseMs: number;
  /** See `EngineOptions.maxPauseMs`. */
  maxPauseMs?: number;
  /** How often commands from other processes are looked for; default 250 ms. */
  pollMs?: number;
  writer: BatchWriter;
  local(runId: string): LocalRun | undefined;
  localRunIds(): string[];
  /** True while this process is claiming the run to execute it (its executor is not there yet). */
  starting(runId: string): boolean;
  /** Claims the run and executes it here from its records; `conflict` when another process holds it. */
  continue(runId: string): Promise<RunHandle>;
  /** Delivers an event recorded for a run this process does not execute (to in-process listeners). */
  emit(event: AnyWeftEvent): void;
}

/** Attempts at "read, decide, add after the newest command" before giving up on a busy run. */
const MAX_TRIES = 20;

const isConflict = (error: unknown) => error instanceof WeftError && error.code === 'conflict';

/**
 * Pause, resume and cancel from any process. A request is checked against the run and its newest
 * command, stored as a command (engine/control/control-rules.ts, Store.addRunCommand), then
 * applied: at once when the run executes here, by the owner's poller (CommandPoller) when it
 * executes elsewhere, or here after taking the run over when nobody executes it.
 */
export class RunControl {
  readonly #host: RunControlHost;
  readonly #poller: CommandPoller;
  readonly #sweeper: NodeJS.Timeout | undefined;

  constructor(host: RunControlHost) {
    this.#host = host;
    this.#poller = new CommandPoller({
      store: host.store,
      pollMs: host.pollMs,
      runIds: () => host.localRunIds(),
      apply: (command) => {
        const local = host.local(command.runId);
        if (local) this.#applyTo(local, command);
      },
    });
    const max = host.maxPauseMs;
    if (max !== undefined) {
      this.#sweeper = setInterval(() => void this.#sweep(), Math.min(Math.max(max / 2, 1000), 60_000));
      this.#sweeper.unref();
    }
  }

  /**
   * The newest command of a run about to execute here, which its executor applies as it starts;
   * it and those before it are marked applied (the poller then picks up only newer ones).
   */
  async startingFrom(runId: string): Promise<RunCommandRecord | undefined> {
    const last = await this.#host.store.lastRunCommand(runId);
    if (last && last.appliedAt === null)
      await this.#host.store.markCommandsApplied(runId, last.id, Date.now());
    return last;
  }

  /** The gate of a run about to execute here; its newest command `last` is applied by the executor. */
  gateFor(runId: string, last: RunCommandRecord | undefined): PauseGate {
    // A run taken over to be cancelled: its children elsewhere are cancelled too.
    if (last?.kind === 'cancel') void this.#cancelChildren(runId, last);
    return new PauseGate({ maxPauseMs: this.#host.maxPauseMs, onTooLong: () => void this.#expire(runId) });
  }

  async pause(runId: string, options: ControlOptions = {}): Promise<ControlResult> {
    const { run, command } = await this.#request('pause', runId, options);
    const local = this.#host.local(runId);
    if (local) {
      await this.#apply(local, command);
      await this.#host.writer.flushed();
      return this.#here(runId);
    }
    if (!this.#ownedElsewhere(run) && (await this.#pauseUnowned(run, command))) return this.#here(runId);
    return this.#atOwner(runId);
  }

  async cancel(runId: string, options: ControlOptions = {}): Promise<ControlResult> {
    const { run, command } = await this.#request('cancel', runId, options);
    const local = this.#host.local(runId);
    if (local) {
      await this.#apply(local, command);
      await local.result.catch(() => {});
      return this.#here(runId);
    }
    if (this.#ownedElsewhere(run)) return this.#atOwner(runId);
    try {
      // Nobody executes it: take it over; it starts cancelled (gateFor, applyInitial).
      const handle = await this.#host.continue(runId);
      await handle.result().catch(() => {});
      return this.#here(runId);
    } catch (error) {
      if (isConflict(error)) return this.#atOwner(runId);
      throw error;
    }
  }

  /** Un-pauses a paused run wherever it executes, or continues an interrupted one here. */
  async resume(runId: string, options: ControlOptions = {}): Promise<ResumedRun> {
    for (let tries = 0; ; tries++) {
      const { run, last } = await this.#read(runId);
      checkControl('resume', run, last);
      if (requestedState(last) !== 'paused') return this.#continueInterrupted(run);
      const command = await this.#host.store.addRunCommand(
        this.#command(run.id, 'resume', options),
        last!.id,
      );
      if (command) return this.#unpause(run, command);
      if (tries >= MAX_TRIES) throw this.#busy(runId);
    }
  }

  /**
   * For `recover()`: whether a run must be left alone because it is paused. A pause its owner did
   * not get to record is recorded; a run paused longer than the maximum is cancelled.
   */
  async keepsPaused(run: RunRecord): Promise<boolean> {
    const last = await this.#host.store.lastRunCommand(run.id);
    if (last?.kind !== 'pause') return false;
    if (this.#overdue(last)) await this.#expire(run.id);
    else if (run.status !== 'paused') await this.#pauseUnowned(run, last);
    return true;
  }

  async close(): Promise<void> {
    if (this.#sweeper) clearInterval(this.#sweeper);
    await this.#poller.close();
  }

  async #read(runId: string): Promise<{ run: RunRecord; last: RunCommandRecord | undefined }> {
    const { store } = this.#host;
    const [run, last] = await Promise.all([store.getRun(runId), store.lastRunCommand(runId)]);
    if (!run) throw new WeftError('not_found', `no run with id '${runId}' in this store`);
    return { run, last };
  }

  /** Checks the request against the run and stores it; a command that came in between means: decide again. */
  async #request(action: ControlAction, runId: string, options: ControlOptions) {
    for (let tries = 0; ; tries++) {
      const { run, last } = await this.#read(runId);
      checkControl(action, run, last);
      const command = await this.#host.store.addRunCommand(
        this.#command(runId, action, options),
        last?.id ?? 0,
      );
      if (command) return { run, command };
      if (tries >= MAX_TRIES) throw this.#busy(runId);
    }
  }

  #command(runId: string, kind: RunCommandKind, options: ControlOptions) {
    return { runId, kind, by: options.by ?? null, reason: options.reason ?? null, createdAt: Date.now() };
  }

  /** Applies a command to a run executing here; a cancel reaches its child runs too. */
  #applyTo(local: LocalRun, command: RunCommandRecord): void {
    const changed = applyCommand(local.executor, command);
    if (changed && command.kind === 'cancel') void this.#cancelChildren(command.runId, command);
  }

  /** Applies a command this process just stored for a run executing here, and marks it applied. */
  async #apply(local: LocalRun, command: RunCommandRecord): Promise<void> {
    this.#applyTo(local, command);
    await this.#host.store.markCommandsApplied(command.runId, command.id, Date.now());
  }

  async #unpause(run: RunRecord, command: RunCommandRecord): Promise<ResumedRun> {
    const local = this.#host.local(run.id);
    if (local) {
      await this.#apply(local, command);
      await this.#host.writer.flushed();
      return {
        runId: run.id,
        result: () => local.result,
        unpaused: true,
        local: true,
        owner: this.#host.owner,
      };
    }
    if (!this.#ownedElsewhere(run)) {
      try {
        const handle = await this.#host.continue(run.id);
        return { ...this.#handle(handle), unpaused: true, local: true, owner: this.#host.owner };
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
    }
    return this.#remote(run, true);
  }

  async #continueInterrupted(run: RunRecord): Promise<ResumedRun> {
    if (this.#host.local(run.id)) {
      throw new WeftError(
        'conflict',
        `run ${run.id} is running in this process and is not paused; nothing to resume`,
      );
    }
    if (this.#ownedElsewhere(run)) {
      const until = run.leaseExpiresAt ? new Date(run.leaseExpiresAt).toISOString() : 'unknown';
      throw new WeftError(
        'conflict',
        `run ${run.id} is being executed by ${run.owner} (lease until ${until}) and is not paused; nothing to resume`,
      );
    }
    const handle = await this.#host.continue(run.id);
    return { ...this.#handle(handle), unpaused: false, local: true, owner: this.#host.owner };
  }

  #handle(handle: RunHandle): RunHandle {
    return { runId: handle.runId, result: () => handle.result() };
  }

  #remote(run: RunRecord, unpaused: boolean): ResumedRun {
    const runId = run.id;
    let following: Promise<RunResult> | undefined;
    return {
      runId,
      unpaused,
      local: false,
      owner: run.owner,
      result: () => {
        following ??= followInStore(this.#host.store, runId, this.#host.pollMs);
        return following;
      },
    };
  }

  /** Another live process holds the run's lease (or this one is about to execute it). */
  #ownedElsewhere(run: RunRecord): boolean {
    const { owner } = run;
    if (owner === null || run.leaseExpiresAt === null || run.leaseExpiresAt <= Date.now()) return false;
    if (owner === this.#host.owner) return this.#host.starting(run.id);
    return deadLocalOwners([owner], this.#host.owner).length === 0;
  }

  /** Records a pause of a run nobody executes: claimed for a moment, `run.paused`, released. */
  async #pauseUnowned(run: RunRecord, command: RunCommandRecord): Promise<boolean> {
    const { store, owner, leaseMs, writer } = this.#host;
    const now = Date.now();
    const deadOwners = run.owner ? deadLocalOwners([run.owner], owner) : [];
    const claimed = await store.claimRun(run.id, { owner, leaseMs, now, deadOwners });
    if (!claimed) return false;
    try {
      if (claimed.status !== 'paused') {
        const seq = claimed.lastSeq + 1;
        const data =
          command.reason === null ? { by: command.by } : { by: command.by, reason: command.reason };
        writer.addEvent({ runId: run.id, seq, type: 'run.paused', time: now, stepKey: null, data });
        writer.patchRun({ id: run.id, lastSeq: seq, status: 'paused' });
        await writer.flushed();
        this.#host.emit({
          type: 'run.paused',
          runId: run.id,
          workflow: run.workflow,
          seq,
          time: now,
          stepKey: null,
          data,
        });
      }
      await store.markCommandsApplied(run.id, command.id, now);
    } finally {
      await store.releaseRun(run.id, owner);
    }
    return true;
  }

  /** Child runs of a cancelled run, wherever they execute, are cancelled with it. */
  async #cancelChildren(runId: string, command: RunCommandRecord): Promise<void> {
    try {
      const children = await this.#host.store.listRuns({ parentRunId: runId, limit: 1000 });
      const reason = `its parent run ${runId} was cancelled`;
      const by = command.by ?? undefined;
      await Promise.all(
        children
          .filter((child) => !TERMINAL_RUN_STATUSES.has(child.status))
          .map((child) =>
            this.cancel(child.id, { by, reason }).catch((error) => isConflict(error) || warn(error)),
          ),
      );
    } catch (error) {
      warn(error);
    }
  }

  #overdue(pause: RunCommandRecord): boolean {
    const max = this.#host.maxPauseMs;
    return max !== undefined && pause.createdAt + max <= Date.now();
  }

  /** Cancels a run paused longer than `maxPauseMs`. */
  async #expire(runId: string): Promise<void> {
    const reason = `paused for longer than the maximum pause of ${formatDuration(this.#host.maxPauseMs ?? 0)} (maxPauseMs)`;
    await this.cancel(runId, { reason }).catch((error) => isConflict(error) || warn(error));
  }

  /** Paused runs nobody executes have no gate timer: look for those paused too long. */
  async #sweep(): Promise<void> {
    try {
      for (const run of await this.#host.store.listRuns({ status: 'paused', limit: 200 })) {
        if (this.#host.local(run.id) || this.#ownedElsewhere(run)) continue;
        const last = await this.#host.store.lastRunCommand(run.id);
        if (last?.kind === 'pause' && this.#overdue(last)) await this.#expire(run.id);
      }
    } catch (error) {
      warn(error);
    }
  }

  #here(runId: string): ControlResult {
    return { runId, appliedBy: 'here', owner: this.#host.owner };
  }

  async #atOwner(runId: string): Promise<ControlResult> {
    const run = await this.#host.store.getRun(runId);
    return { runId, appliedBy: 'owner', owner: run?.owner ?? null };
  }

  #busy(runId: string): WeftError {
    return new WeftError('conflict', `run ${runId} is receiving other commands right now; try again`);
  }
}

function warn(error: unknown): boolean {
  process.emitWarning(`run control: ${error instanceof Error ? error.message : String(error)}`);
  return false;
}
