// Directory listing with a DataError (naming the folder) instead of ENOENT.
import { readdir, stat } from 'node:fs/promises';
import { DataError } from '../errors.js';

export async function listDir(dir: string, what: string): Promise<string[]> {
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) throw new DataError(`${what} is not a folder`, dir);
    return (await readdir(dir)).sort();
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`missing ${what} folder`, dir);
  }
}

export async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
