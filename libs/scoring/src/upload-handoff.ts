/** Bytes kept for jobs not yet started; beyond this the oldest are dropped (their jobs read the store). */
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/**
 * The bytes an upload just recorded, handed to this process's worker, so a job of an image accepted here
 * does not read back from the database what intake held a moment ago. Only where intake and worker share
 * a process (role `all`). A job that finds nothing (another worker process took it, a retry, the bytes
 * were dropped under a burst) reads the stored image as before; the stored content is the same bytes.
 */
export class UploadHandoff {
  private readonly pending = new Map<string, Buffer>();
  private heldBytes = 0;

  constructor(private readonly maxBytes = DEFAULT_MAX_BYTES) {}

  /** After the upload is recorded: `imageId`'s stored content is `bytes`. */
  put(imageId: string, bytes: Buffer): void {
    if (bytes.length > this.maxBytes) return;
    this.drop(imageId);
    this.pending.set(imageId, bytes);
    this.heldBytes += bytes.length;
    for (const oldest of this.pending.keys()) {
      if (this.heldBytes <= this.maxBytes) break;
      this.drop(oldest);
    }
  }

  /** The bytes of `imageId`, once. */
  take(imageId: string): Buffer | undefined {
    const bytes = this.pending.get(imageId);
    this.drop(imageId);
    return bytes;
  }

  get heldCount(): number {
    return this.pending.size;
  }

  private drop(imageId: string): void {
    const bytes = this.pending.get(imageId);
    if (!bytes) return;
    this.pending.delete(imageId);
    this.heldBytes -= bytes.length;
  }
}
