/**
 * The worker thread of {@link WorkerArchiveReader} (app/archive-reader.ts): reads each
 * {@link ArchiveJob} it is sent with {@link readArchiveSeeds} and answers with the seeds or the
 * error. Jobs are independent; one that fails does not affect the next.
 */
import { parentPort } from 'node:worker_threads';
import {
  readArchiveSeeds,
  type ArchiveAnswer,
  type ArchiveJob,
  type ArchiveSeeds,
} from './archive-reader.js';

const port = parentPort;
if (!port) throw new Error('app/archive-worker.js runs only as a worker thread');

port.on('message', (job: ArchiveJob) => {
  const onSeeds = job.batches
    ? (batch: ArchiveSeeds['seeds']) =>
        port.postMessage({ id: job.id, batch } satisfies ArchiveAnswer)
    : undefined;
  readArchiveSeeds(Buffer.from(job.bytes), job.maxFileBytes, new Map(job.want), onSeeds).then(
    (ok) => port.postMessage({ id: job.id, ok } satisfies ArchiveAnswer),
    (e: unknown) =>
      port.postMessage({
        id: job.id,
        error: e instanceof Error ? e.message : String(e),
      } satisfies ArchiveAnswer),
  );
});
