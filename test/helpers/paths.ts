import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, for tests that read shipped files or run the CLI. */
export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
