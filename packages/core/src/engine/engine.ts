import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { McpConnections } from '../agents/mcp.js';
import type { AgentDefinition, AgentRegistry } from '../agents/registry.js';
import type { AgentAdapter } from '../agents/types.js';
import { WeftError } from '../errors.js';
import { EventBus } from '../events/bus.js';
import { type EventFilter, subscribe } from '../events/subscribe.js';
import type { AnyWeftEvent, EngineEvent, EngineEventType, EventType, WeftEvent } from '../events/types.js';
import { Notifier } from '../notify/notifier.js';
import type { NotificationOptions } from '../notify/notify-types.js';
import { Registry } from '../registry/registry.js';
import type { RunGate } from '../resilience/concurrency-gate.js';
import { EngineDeadLetterQueue } from '../resilience/dead-letter-queue.js';
import {
  type BreakerAdmin,
  type CacheAdmin,
  Resilience,
  type ResilienceSettings,
} from '../resilience/resilience.js';
import type { SkillRegistry } from '../skills/registry.js';
import type { AnySkill } from '../skills/types.js';
import type { StepTypeRegistry } from '../steps/registry.js';
import type {
  EventRecord,
  RunCommandRecord,
  RunFilter,
  RunRecord,
  StepRecord,
  Store,
} from '../store/types.js';
import { TERMINAL_RUN_STATUSES } from '../store/types.js';
import { Chainer, DEFAULT_MAX_CHAIN_LENGTH } from './chaining.js';
import { ChildRuns } from './child-runs.js';
import type { Clock } from './clock.js';
import { RunControl } from './control/run-control.js';
import type { HookRegistry } from './hooks/hook-registry.js';
import type { HookFn, HookPoint } from './hooks/hook-types.js';
import { prepareInput } from './inputs.js';
import { attachEventLogging } from './log/engine-logger.js';
import { deadLocalOwners } from './owner.js';
import type { Plan } from './plan-types.js';
import { type RunProgress, runProgress } from './progress.js';
import { createRedactor } from './redact.js';
import { refuseRun } from './refused-run.js';
import { type RerunOptions, type RerunResult, rerun } from './rerun.js';
import { RunExecutor } from './run-executor.js';
import { RunKeeper, type RunningRun } from './run-keeper.js';
import { SkillInvoker } from './skill-invoker.js';
import type {
  CloseOptions,
  ControlOptions,
  ControlResult,
  Engine,
  ResumedRun,
  RunDetails,
  RunHandle,
  StartOptions,
  WorkflowRef,
} from './types.js';
import type { ApprovalDecision } from './waits/approval-decision.js';
import { approve } from './waits/approve.js';
import type { EventInput } from './waits/cloud-event.js';
import { type SendEventOptions, type SendEventResult, sendEvent } from './waits/send-event.js';
import { DurableWaits } from './waits/wait-service.js';
import { WorkflowLoader } from './workflow-loader.js';
import { BatchWriter } from './writer.js';

export interface EngineParts {
  store: Store;
  skills: SkillRegistry;
  stepTypes: StepTypeRegistry;
  /** The agent registry (agents/); absent: agent steps are refused at load. */
  agents?: AgentRegistry;
  /** Connected MCP servers (`mcp_servers:`), closed with the engine. */
  mcp?: McpConnections;
  secrets: Record<string, string>;
  cwd: string;
  leaseMs: number;
  owner: string;
  /** Deepest nesting of child runs (`workflow` steps); see `EngineOptions.maxDepth`. */
  maxDepth: number;
  /** Runs an `on_complete` chain may hold; see `EngineOptions.maxChainLength`. */
  maxChainLength?: number;
  /** See `EngineOptions.maxPauseMs`. */
  maxPauseMs?: number;
  /** Time for retry delays and timers; see `EngineOptions.clock`. */
  clock?: Clock;
  /** See `EngineOptions.dlqRetentionMs`. */
  dlqRetentionMs?: number;
  /** Circuit breakers, limits and Redis (resilience/); see `EngineOptions.circuitBreakers`. */
  resilience?: ResilienceSettings;
  /** Hooks from `EngineOptions.hooks` and hook modules; `engine.hook` adds more. */
  hooks?: HookRegistry;
  /** See `EngineOptions.notifications`; the secret already defaulted. */
  notifications?: NotificationOptions;
  /** See `EngineOptions.logger`; undefined: no logs. */
  logger?: Logger;
}

/** The engine: starts, resumes and recovers runs on one store. See `createEngine`. */
export class WeftEngine implements Engine {
  readonly store: Store;
  readonly #parts: EngineParts;
  readonly #bus = new EventBus((error, event) => {
    process.emitWarning(`a listener of '${event.type}' threw: ${(error as Error)?.message ?? String(error)}`);
  });
  readonly #writer: BatchWriter;
  readonly #invoker: SkillInvoker;
  readonly #loader: WorkflowLoader;
  readonly #keeper: RunKeeper;
  readonly #running: Map<string, RunningRun>;
  readonly #waits: DurableWaits;
  readonly #chainer: Chainer;
  readonly #children: ChildRuns;
  readonly #resilience: Resilience;
  readonly #control: RunControl;
  readonly #notifier: Notifier;
  /** The dead-letter queue (SPEC section 4): list, show, replay, delete, purge. */
  readonly dlq: EngineDeadLetterQueue;
  /** Registered workflows and their versions (registry/): `engine.start({ name })` runs one. */
  readonly workflows: Registry;
  /** Resumes in progress: a parent's `workflow` step and `recover` may ask for one child at once. */
  readonly #resuming = new Map<string, Promise<RunHandle>>();
  #closed = false;

  constructor(parts: EngineParts) {
    this.#parts = parts;
    this.store = parts.store;
    this.#keeper = new RunKeeper({
      store: parts.store,
      owner: parts.owner,
      leaseMs: parts.leaseMs,
      bus: this.#bus,
      stepTypes: parts.stepTypes,
      writer: () => this.#writer,
    });
    this.#running = this.#keeper.running;
    this.workflows = new Registry(parts.store, {
      kind: 'workflow',
      validate: async (source, path) => {
        const plan = await this.#loader.load({ source, path: path ?? undefined });
        return { name: plan.name, hash: plan.hash };
      },
    });
    this.#writer = new BatchWriter(parts.store, parts.owner, (lost) => this.#keeper.lose(lost));
    this.#invoker = new SkillInvoker(parts.skills);
    this.#loader = new WorkflowLoader({
      store: parts.store,
      skills: parts.skills,
      stepTypes: parts.stepTypes,
      cwd: parts.cwd,
      agents: () => parts.agents?.names() ?? new Set(),
    });
    this.#notifier = new Notifier({
      ...parts.notifications,
      store: parts.store.notifications,
      targetsOf: (runId) => this.#running.get(runId)?.executor.notifyTargets(),
    });
    this.#notifier.attach(this.#bus);
    if (parts.logger) attachEventLogging(this.#bus, parts.logger);
    this.#waits = new DurableWaits({ store: parts.store, clock: parts.clock });
    this.#chainer = new Chainer({
      store: parts.store,
      maxChainLength: parts.maxChainLength ?? DEFAULT_MAX_CHAIN_LENGTH,
      cwd: parts.cwd,
      load: async (path) => {
        const plan = await this.#loader.load(path);
        await this.#loader.persist(plan);
        return plan;
      },
      newRun: (plan, input, options) => this.#newRun(plan, input, options, false),
    });
    this.#children = new ChildRuns({
      store: parts.store,
      maxDepth: parts.maxDepth,
      load: (path) => this.#loader.load(path),
      start: (workflow, input, options) => this.start(workflow, input, options),
      resume: (runId) => this.#continue(runId),
      cancel: (parentRunId, childRunId, reason) => {
        // A parent detached (engine closed, lease lost) leaves its child alone: both resume later.
        if (this.#running.get(parentRunId)?.executor.detached) return;
        this.#running.get(childRunId)?.executor.abort(reason);
      },
    });
    this.#control = new RunControl({
      store: parts.store,
      owner: parts.owner,
      leaseMs: parts.leaseMs,
      maxPauseMs: parts.maxPauseMs,
      writer: this.#writer,
      local: (runId) => this.#running.get(runId),
      localRunIds: () => [...this.#running.keys()],
      starting: (runId) => this.#resuming.has(runId),
      continue: (runId) => this.#continue(runId),
      emit: (event) => this.#bus.emit(event),
    });
    this.dlq = new EngineDeadLetterQueue({
      store: parts.store,
      owner: parts.owner,
      leaseMs: parts.leaseMs,
      now: () => Date.now(),
      retentionMs: parts.dlqRetentionMs,
      assertOpen: () => this.#assertOpen(),
      planFor: (run) => this.#loader.forRun(run),
      launch: (plan, run, history) => this.#launch(plan, run, history, true),
    });
    this.dlq.startRetention();
    this.#resilience = new Resilience({
      ...parts.resilience,
      store: parts.store,
      owner: parts.owner,
      leaseMs: parts.leaseMs,
      now: parts.clock ? () => parts.clock!.now() : undefined,
      emit: (event) => this.#bus.emitEngine(event),
      cancelRun: async (runId, reason) => {
        await this.cancel(runId, { reason });
      },
    });
    parts.agents?.useBreakers((target, work, signal) =>
      this.#resilience.breakers.guard(target, work, signal),
    );
    // An agent's max_concurrency counts across every engine on the store.
    parts.agents?.useSlots((key, limit, wait) => this.#resilience.slots.lend(key, limit, wait));
  }

  /** Circuit breaker states, in the store or Redis (`weft breakers list | reset`). */
  get breakers(): BreakerAdmin {
    return this.#resilience.breakers;
  }

  /** Cached step results, in the store or Redis (`weft cache list | clear`). */
  get cache(): CacheAdmin {
    return this.#resilience.cache;
  }

  get owner(): string {
    return this.#parts.owner;
  }

  /**
   * Registers a hook (engine/hooks): `beforeRun`, `afterRun`, `beforeStep`, `afterStep`, `branch`, `error`.
   * @example engine.hook('beforeStep', ({ stepKey }) => (stepKey === 'charge' ? { skip: 'dry run' } : undefined))
   */
  hook<P extends HookPoint>(point: P, fn: HookFn<P>): this {
    if (!this.#parts.hooks) throw new WeftError('not_supported', 'this engine was created without hooks');
    this.#parts.hooks.add(point, fn);
    return this;
  }

  registerSkill(skill: AnySkill): this {
    this.#parts.skills.register(skill);
    return this;
  }

  /** Adds an agent: an adapter written in code, or a setting as under `agents:` in weft.config.yaml. */
  registerAgent(name: string, agent: AgentDefinition | AgentAdapter | Record<string, unknown>): this {
    if (!this.#parts.agents)
      throw new WeftError('not_supported', 'this engine was built without an agent registry');
    this.#parts.agents.register(name, agent);
    return this;
  }

  /** The registered agents (`weft agents list`). */
  get agents(): AgentRegistry | undefined {
    return this.#parts.agents;
  }

  /** The skills this engine can call (built-ins, modules, `registerSkill`). */
  get skills(): SkillRegistry {
    return this.#parts.skills;
  }

  on<T extends EventType>(type: T, listener: (event: WeftEvent<T>) => void): () => void;
  on<T extends EngineEventType>(type: T, listener: (event: EngineEvent<T>) => void): () => void;
  on(type: '*', listener: (event: AnyWeftEvent) => void): () => void;
  on(type: EventType | EngineEventType | '*', listener: (event: never) => void): () => void {
    return this.#bus.on(type as EventType, listener as (event: WeftEvent) => void);
  }

  subscribe(filter: EventFilter, listener: (event: AnyWeftEvent) => void): () => void {
    return subscribe(this.#bus, filter, listener);
  }

  async progress(runId: string): Promise<RunProgress> {
    const run = await this.store.getRun(runId);
    if (!run) throw new WeftError('not_found', `no run with id '${runId}' in this store`);
    return runProgress(this.store, run, Date.now());
  }

  async start(workflow: WorkflowRef, input?: unknown, options: StartOptions = {}): Promise<RunHandle> {
    this.#assertOpen();
    const plan = await this.#loader.load(workflow);
    const prepared = prepareInput(plan.name, plan.inputSchema, input);
    await this.#loader.persist(plan);
    const run = this.#newRun(plan, prepared, options, true);
    this.#resilience.checkStart(plan, run.meta);
    // Workflow `concurrency` and `limits.running_runs`: a run that must wait is `pending` meanwhile.
    const gate = this.#resilience.gate(plan, run, prepared);
    if (gate && !(await gate.open()))
      return refuseRun({ writer: this.#writer, bus: this.#bus }, plan, run, gate.reason ?? 'refused');
    if (gate && !gate.admitted)
      Object.assign(run, { status: 'pending', meta: { ...run.meta, queued: gate.reason } });
    this.#writer.addRun(run);
    // The run, its run.started event and nothing else go in the first commit; steps wait for it.
    const handle = this.#launch(plan, { ...run, input: prepared }, [], false, undefined, gate ?? null);
    try {
      await this.#writer.flushed();
    } catch (error) {
      this.#running.get(run.id)?.executor.detach(WeftError.from(error, 'store_error'));
      throw WeftError.from(error, 'store_error');
    }
    return handle;
  }

  /** A new run record; `owned`: running here, else `pending` for any process to start (recover). */
  #newRun(plan: Plan, input: unknown, options: StartOptions, owned: boolean): RunRecord {
    const now = Date.now();
    return {
      id: options.runId ?? randomUUID(),
      workflow: plan.name,
      version: plan.version,
      documentHash: plan.hash,
      status: owned ? 'running' : 'pending',
      input: this.#redactorFor(plan)(input),
      output: null,
      error: null,
      parentRunId: options.parentRunId ?? null,
      createdAt: now,
      startedAt: owned ? now : null,
      endedAt: null,
      deadlineAt: plan.timeoutMs === undefined ? null : now + plan.timeoutMs,
      owner: owned ? this.#parts.owner : null,
      leaseExpiresAt: owned ? now + this.#parts.leaseMs : null,
      lastSeq: 0,
      meta: { cwd: this.#parts.cwd, ...options.meta },
    };
  }

  /** Starts chained runs just committed `pending`; one another process claims first runs there. */
  #startChained(runIds: string[]): void {
    for (const runId of runIds) {
      if (this.#closed) return; // recovery starts them
      this.#continue(runId).catch((error) => {
        if (error instanceof WeftError && error.code === 'conflict') return;
        process.emitWarning(`chained run ${runId} did not start: ${(error as Error)?.message ?? error}`);
      });
    }
  }

  /**
   * Un-pauses a paused run wherever it executes, and continues an interrupted one here (its
   * process died): see `Engine.resume`. A run running and not paused throws `conflict`.
   */
  resume(runId: string, options?: ControlOptions): Promise<ResumedRun> {
    this.#assertOpen();
    return this.#control.resume(runId, options);
  }

  /** Pauses a run, from any process sharing the store: see `Engine.pause`. */
  pause(runId: string, options?: ControlOptions): Promise<ControlResult> {
    this.#assertOpen();
    return this.#control.pause(runId, options);
  }

  /** Cancels a run, from any process sharing the store: see `Engine.cancel`. */
  cancel(runId: string, options?: ControlOptions): Promise<ControlResult> {
    this.#assertOpen();
    return this.#control.cancel(runId, options);
  }

  /** Claims an interrupted run and executes it here (the handle of one already executing here). */
  #continue(runId: string): Promise<RunHandle> {
    const pending = this.#resuming.get(runId);
    if (pending) return pending;
    const resuming = this.#resume(runId).finally(() => this.#resuming.delete(runId));
    this.#resuming.set(runId, resuming);
    return resuming;
  }

  async #resume(runId: string): Promise<RunHandle> {
    this.#assertOpen();
    const active = this.#running.get(runId);
    if (active) return { runId, result: () => active.result };
    const existing = await this.store.getRun(runId);
    if (!existing) throw new WeftError('not_found', `no run with id '${runId}' in this store`);
    if (TERMINAL_RUN_STATUSES.has(existing.status)) {
      throw new WeftError(
        'conflict',
        `run ${runId} has already ended (${existing.status}); nothing to resume`,
      );
    }
    const dead = deadLocalOwners(await this.store.listOwners(), this.#parts.owner);
    const now = Date.now();
    const claimed = await this.store.claimRun(runId, {
      owner: this.#parts.owner,
      leaseMs: this.#parts.leaseMs,
      now,
      deadOwners: dead,
    });
    if (!claimed) {
      const until = existing.leaseExpiresAt ? new Date(existing.leaseExpiresAt).toISOString() : 'unknown';
      throw new WeftError(
        'conflict',
        `run ${runId} is being executed by ${existing.owner} (lease until ${until})`,
      );
    }
    const plan = await this.#loader.forRun(claimed);
    const history = await this.store.getSteps(runId);
    const control = await this.#control.startingFrom(runId);
    // A `pending` run (chained by on_complete) starts for the first time.
    return this.#launch(plan, claimed, history, claimed.status !== 'pending', control);
  }

  /**
   * A new run of the same document that reuses what does not depend on `from`: see `Engine.rerun`.
   */
  rerun(runId: string, options: RerunOptions): Promise<RerunResult> {
    this.#assertOpen();
    return rerun(
      {
        store: this.store,
        planFor: (run) => this.#loader.forRun(run),
        start: (plan, input, seeds, meta) => this.#startSeeded(plan, input, seeds, meta),
      },
      runId,
      options,
    );
  }

  /** Starts a run whose first commit also holds `seeds(runId)`: steps it replays, not executes. */
  async #startSeeded(
    plan: Plan,
    input: unknown,
    seeds: (runId: string) => StepRecord[],
    meta: Record<string, unknown>,
  ): Promise<RunHandle> {
    const run = this.#newRun(plan, input, { meta }, true);
    const history = seeds(run.id);
    this.#writer.addRun(run);
    for (const step of history) this.#writer.putStep(step);
    const handle = this.#launch(plan, { ...run, input }, history, false);
    await this.#writer.flushed();
    return handle;
  }

  async recover(): Promise<RunHandle[]> {
    this.#assertOpen();
    const dead = deadLocalOwners(await this.store.listOwners(), this.#parts.owner);
    const interrupted = await this.store.listInterrupted(Date.now(), dead);
    const handles: RunHandle[] = [];
    for (const run of interrupted) {
      if (this.#running.has(run.id)) continue;
      // A paused run stays paused (and unowned) until someone resumes or cancels it.
      if (await this.#control.keepsPaused(run)) continue;
      try {
        handles.push(await this.#continue(run.id));
      } catch (error) {
        // Another process claimed it first: it is being recovered there.
        if (!(error instanceof WeftError && error.code === 'conflict')) throw error;
      }
    }
    return handles;
  }

  async getRun(runId: string): Promise<RunDetails | undefined> {
    const run = await this.store.getRun(runId);
    if (!run) return undefined;
    const [steps, children] = await Promise.all([
      this.store.getSteps(runId),
      this.store.listRuns({ parentRunId: runId, limit: 1000 }),
    ]);
    return { run, steps, children: children.reverse() };
  }

  listRuns(filter?: RunFilter): Promise<RunRecord[]> {
    return this.store.listRuns(filter);
  }

  getEvents(runId: string, afterSeq?: number): Promise<EventRecord[]> {
    return this.store.getEvents(runId, afterSeq);
  }

  async sendEvent(event: EventInput, options: SendEventOptions = {}): Promise<SendEventResult> {
    this.#assertOpen();
    const sent = await sendEvent(this.store, event, options, Date.now());
    this.#waits.poke();
    return sent;
  }

  async approve(runId: string, stepKey: string, decision: ApprovalDecision): Promise<void> {
    this.#assertOpen();
    await approve(this.store, { runId, stepKey }, decision, Date.now());
    this.#waits.poke();
  }

  async close(options: CloseOptions = {}): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if ((options.graceMs ?? 0) > 0) await this.#keeper.drain(options.graceMs!);
    this.#keeper.stop();
    await this.dlq.stop();
    await this.#control.close();
    const stopping = [...this.#running.values()];
    for (const { executor } of stopping)
      executor.detach(new WeftError('cancelled', 'the engine was closed; the run can be resumed'));
    await this.#writer.flushed().catch(() => {});
    await Promise.allSettled(stopping.map(({ result }) => result));
    await this.#waits.close();
    for (const { executor } of stopping)
      await this.store.releaseRun(executor.runId, this.#parts.owner).catch(() => {});
    await this.#resilience.close();
    await this.#notifier.close();
    await this.#parts.mcp?.close();
    await this.store.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new WeftError('conflict', 'the engine is closed');
  }

  #redactorFor(plan: Plan): (value: unknown) => unknown {
    return createRedactor(Object.values(planSecrets(plan, this.#parts.secrets)));
  }

  #launch(
    plan: Plan,
    run: RunRecord,
    history: RunDetails['steps'],
    resumed: boolean,
    control?: RunCommandRecord,
    /** Its concurrency slots; undefined: looked up here (a resumed run takes them again), null: none. */
    admission?: RunGate | null,
  ): RunHandle {
    const gate =
      admission === undefined ? this.#resilience.gate(plan, run, run.input) : (admission ?? undefined);
    const secrets = planSecrets(plan, this.#parts.secrets);
    const executor = new RunExecutor({
      plan,
      run,
      bus: this.#bus,
      writer: this.#writer,
      secrets,
      redact: createRedactor(Object.values(secrets)),
      history,
      resumed,
      skills: this.#parts.skills,
      stepTypes: this.#parts.stepTypes,
      invoker: this.#invoker,
      waits: this.#waits,
      children: this.#children,
      chains: {
        prepare: (plan, run, scope) => this.#chainer.prepare(plan, run, scope),
        launch: (runIds) => this.#startChained(runIds),
      },
      cwd: typeof run.meta.cwd === 'string' ? run.meta.cwd : this.#parts.cwd,
      pauseGate: this.#control.gateFor(run.id, control),
      control,
      store: this.store,
      clock: this.#parts.clock,
      resilience: this.#resilience.forRun(run),
      hooks: this.#parts.hooks,
    });
    const execute = () => executor.execute();
    const started =
      gate && !gate.admitted
        ? gate
            .wait(executor.signal, (reason) => executor.emit('run.queued', null, { reason }))
            .then(execute, execute)
        : execute();
    const result = started.finally(() => {
      this.#running.delete(run.id);
      void gate?.release();
    });
    result.catch(() => {});
    this.#running.set(run.id, { executor, result });
    return { runId: run.id, result: () => result };
  }
}

/** The secrets a plan reads (`secrets: '*'`: every one), by name. */
function planSecrets(plan: Plan, all: Readonly<Record<string, string>>): Record<string, string> {
  const names = plan.secrets === '*' ? Object.keys(all) : [...plan.secrets];
  return Object.fromEntries(names.flatMap((name) => (all[name] === undefined ? [] : [[name, all[name]]])));
}
