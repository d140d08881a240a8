// Repository and tag names come from the file system and from callers: they are data, never paths.
// Each is checked against the registry's own grammar before it is joined to a directory.
import { join, relative, resolve, sep } from 'node:path';
import { AppError } from '../../util/errors.js';

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

export function isRepositoryName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && name.split('/').every((c) => COMPONENT.test(c));
}

export function isTagName(tag: string): boolean {
  return TAG.test(tag);
}

/** Joins relative parts under root and refuses anything that would land outside it. */
export function within(root: string, ...parts: string[]): string {
  const full = resolve(root, join(...parts));
  const rel = relative(resolve(root), full);
  if (rel === '' || rel.startsWith('..') || rel.split(sep).includes('..')) {
    throw new AppError('INVALID_INPUT', `refusing a path outside the cache: ${parts.join('/')}`);
  }
  return full;
}

export function checkRepository(name: string): string {
  if (!isRepositoryName(name))
    throw new AppError('INVALID_INPUT', `not a repository name: ${JSON.stringify(name)}`);
  return name;
}

export function checkTag(tag: string): string {
  if (!isTagName(tag)) throw new AppError('INVALID_INPUT', `not a tag name: ${JSON.stringify(tag)}`);
  return tag;
}
