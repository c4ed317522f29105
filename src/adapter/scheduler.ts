import type { Logger } from 'pino';

/** Timers an inbound adapter uses (a mailbox poll, a lease renewal); all stop with the gateway. */
export interface Scheduler {
  /**
   * Runs `task` every `ms`, the first time after `ms`. A run never overlaps
   * the previous one (the next is timed from its end), and an error is
   * logged, not thrown. Returns a function that cancels it.
   */
  every(ms: number, task: () => void | Promise<void>): () => void;
}

export interface StoppableScheduler extends Scheduler {
  /** Cancels every timer and resolves when the runs in progress have ended. */
  stop(): Promise<void>;
}

export function createScheduler(log: Logger): StoppableScheduler {
  const jobs = new Set<{ timer?: NodeJS.Timeout; running?: Promise<void> }>();
  let stopped = false;
  return {
    every(ms, task) {
      const job: { timer?: NodeJS.Timeout; running?: Promise<void> } = {};
      const arm = () => {
        if (!stopped && jobs.has(job)) job.timer = setTimeout(run, ms);
      };
      const run = () => {
        job.running = (async () => task())()
          .catch((err: unknown) => log.error({ err }, 'scheduled task failed'))
          .finally(() => {
            job.running = undefined;
            arm();
          });
      };
      jobs.add(job);
      arm();
      return () => {
        clearTimeout(job.timer);
        jobs.delete(job);
      };
    },
    async stop() {
      stopped = true;
      const running: Promise<void>[] = [];
      for (const job of jobs) {
        clearTimeout(job.timer);
        if (job.running) running.push(job.running);
      }
      jobs.clear();
      await Promise.all(running);
    },
  };
}
