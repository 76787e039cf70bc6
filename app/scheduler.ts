/**
 * An in-process, keyed, coalescing work queue: the App's answer to webhook bursts.
 *
 * Each key (one pull request, one branch, one merge group) has at most one job running and at
 * most one waiting. A job submitted while another for the same key waits is MERGED into it (the
 * caller's `merge` keeps the newest head), so ten pushes in a row become at most two evaluations:
 * the one already running and one of the newest head. The running job can ask whether a newer
 * one is waiting (`superseded()`) and stop early, before spending writes on an old head.
 * A short `debounceMs` window (default 0) holds a key's first job so that events arriving together
 * are merged before any work starts.
 *
 * Keys run in parallel up to `concurrency`; waiting keys start in arrival order. A job that only
 * has paced writes left gives its slot back (`release()`), so writes never hold up evaluations:
 * neither other keys' nor a newer head of its own key, which starts while the old head's runs
 * are still being written (they are other Check Runs). A job for the SAME head still waits for
 * those writes to end, so that it finds them and does not write them twice.
 *
 * Replicas: this queue is per process. Two replicas receiving events for the same pull request
 * each evaluate it (see docs/app-deployment.md); GitHub stays the only state, so results remain
 * correct, but the work (and the writes) may be done twice.
 */

/** What a running job can ask the queue. */
export interface JobControl {
  /** True when a job for the same key, for which `isSuperseded` holds, is waiting. */
  superseded(): boolean;
  /**
   * Gives the job's concurrency slot back before the job ends (e.g. once results are ready and
   * only paced writes remain): other keys may start, and so may a waiting job of this key for a
   * newer head (`isSuperseded`); one for the same head waits until this job settles. Idempotent.
   */
  release(): void;
}

/** Options of a {@link CoalescingScheduler}. */
export interface SchedulerOptions<J> {
  /** Keys evaluated at once (default 4). */
  concurrency?: number;
  /** How long a key's first job waits for more events to merge, in ms (default 0). */
  debounceMs?: number;
  /** Runs one job. A rejection is passed to `onError`; the queue goes on. */
  run(job: J, control: JobControl): Promise<void>;
  /** Merges a waiting job with a newly submitted one for the same key (keep the newest head). */
  merge(waiting: J, incoming: J): J;
  /** True when `waiting` makes the `running` job's result useless (a newer head). */
  isSuperseded(running: J, waiting: J): boolean;
  /**
   * True when `incoming` is older than the last job started for its key and adds nothing (an
   * out-of-order delivery); it is then dropped.
   */
  isStale?(incoming: J, lastStarted: J): boolean;
  onError(error: unknown, job: J): void;
}

interface KeyState<J> {
  /** The job evaluating (it holds the key). */
  running?: J;
  /** A job that released its slot and only writes; a newer waiting job may start meanwhile. */
  writing?: J;
  waiting?: J;
  lastStarted?: J;
  /** The key sits in the ready queue (or its debounce timer runs). */
  queued: boolean;
}

/** What {@link CoalescingScheduler.submit} did with a job. */
export type SubmitResult = 'queued' | 'merged' | 'dropped-stale';

/** See the module comment. */
export class CoalescingScheduler<J> {
  private readonly keys = new Map<string, KeyState<J>>();
  private readonly ready: string[] = [];
  /** Jobs holding a concurrency slot. */
  private active = 0;
  /** Jobs not yet settled (slot held or released). */
  private busy = 0;
  private idleWaiters: Array<() => void> = [];
  private timers = 0;
  /** Counters for logs and the benchmark. */
  readonly stats = { submitted: 0, merged: 0, dropped: 0, started: 0 };

  constructor(private readonly opts: SchedulerOptions<J>) {}

  /** Queues `job` under `key`, merging it into a job of that key that has not started yet. */
  submit(key: string, job: J): SubmitResult {
    this.stats.submitted++;
    let st = this.keys.get(key);
    if (!st) {
      st = { queued: false };
      this.keys.set(key, st);
    }
    if (st.lastStarted && !st.waiting && this.opts.isStale?.(job, st.lastStarted)) {
      this.stats.dropped++;
      this.gc(key, st);
      return 'dropped-stale';
    }
    if (st.waiting) {
      st.waiting = this.opts.merge(st.waiting, job);
      this.stats.merged++;
      // A job held back by its head's writer may now be for a newer head: then it can start.
      if (this.canStart(st)) this.enqueue(key, st);
      return 'merged';
    }
    st.waiting = job;
    if (this.canStart(st)) this.enqueue(key, st);
    return 'queued';
  }

  /** Forgets a key's waiting job (e.g. the pull request was closed). */
  cancel(key: string): boolean {
    const st = this.keys.get(key);
    if (!st?.waiting) return false;
    st.waiting = undefined;
    this.gc(key, st);
    this.settle();
    return true;
  }

  /** Jobs running now (including those that gave their slot back and only finish writing). */
  get running(): number {
    return this.busy;
  }

  /** Keys with a job waiting to start. */
  get waiting(): number {
    let n = 0;
    for (const st of this.keys.values()) if (st.waiting) n++;
    return n;
  }

  /** Resolves when nothing runs or waits. */
  onIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.busy === 0 && this.ready.length === 0 && this.timers === 0 && this.waiting === 0;
  }

  /** A key's waiting job may start: nothing evaluates, and any writer is for an older head. */
  private canStart(st: KeyState<J>): boolean {
    return (
      st.waiting !== undefined &&
      !st.running &&
      (!st.writing || this.opts.isSuperseded(st.writing, st.waiting))
    );
  }

  private enqueue(key: string, st: KeyState<J>): void {
    if (st.queued) return;
    st.queued = true;
    const debounce = this.opts.debounceMs ?? 0;
    if (debounce > 0) {
      this.timers++;
      setTimeout(() => {
        this.timers--;
        this.ready.push(key);
        this.pump();
      }, debounce).unref?.();
    } else {
      this.ready.push(key);
      this.pump();
    }
  }

  private pump(): void {
    const limit = this.opts.concurrency ?? 4;
    while (this.active < limit && this.ready.length) {
      const key = this.ready.shift()!;
      const st = this.keys.get(key);
      if (!st) continue;
      st.queued = false;
      const job = st.waiting;
      if (!job || !this.canStart(st)) {
        this.gc(key, st); // (re-queued when its running or writing job ends)
        continue;
      }
      st.waiting = undefined;
      st.running = job;
      st.lastStarted = job;
      this.active++;
      this.busy++;
      this.stats.started++;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        this.active--;
        if (st.running === job) {
          st.running = undefined;
          st.writing = job;
          if (this.canStart(st)) this.enqueue(key, st);
        }
        this.pump();
      };
      const control: JobControl = {
        superseded: () => st.waiting !== undefined && this.opts.isSuperseded(job, st.waiting),
        release,
      };
      void Promise.resolve()
        .then(() => this.opts.run(job, control))
        .catch((e: unknown) => this.opts.onError(e, job))
        .finally(() => {
          if (!released) {
            released = true;
            this.active--;
          }
          this.busy--;
          if (st.running === job) st.running = undefined;
          if (st.writing === job) st.writing = undefined;
          if (this.canStart(st)) this.enqueue(key, st);
          else this.gc(key, st);
          this.pump();
          this.settle();
        });
    }
    this.settle();
  }

  private gc(key: string, st: KeyState<J>): void {
    // Keep lastStarted for stale detection only while the map stays small.
    if (!st.running && !st.writing && !st.waiting && !st.queued && this.keys.size > 10_000)
      this.keys.delete(key);
  }

  private settle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
