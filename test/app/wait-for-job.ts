// Waits for an engine job to end (done, failed or cancelled), from the service's own job events.
import type { EngineService } from '../../electron/core/service/engine.js';
import type { JobInfo } from '../../electron/shared/api.js';

export async function waitForJob(service: EngineService, job: JobInfo, timeoutMs = 60_000): Promise<JobInfo> {
  const ended = (j: JobInfo) => j.state === 'done' || j.state === 'failed' || j.state === 'cancelled';
  const now = await service.listJobs();
  const known = now.find((j) => j.id === job.id);
  if (known && ended(known)) return known;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`job ${job.id} did not end in ${timeoutMs} ms`)), timeoutMs);
    const off = service.subscribe((e) => {
      if (e.type === 'job' && e.job.id === job.id && ended(e.job)) {
        clearTimeout(timer);
        off();
        resolve(e.job);
      }
    });
  });
}
