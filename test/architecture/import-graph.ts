import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The file-level import graph of one source folder, read with a regex rather than a compiler so
 * the architecture test needs no tool and no build. Only relative specifiers into the folder count:
 * packages and files outside it sit outside its layers. Type-only imports count too, because a type
 * import is still a dependency a reader has to follow.
 */
export interface ImportGraph {
  /** Paths relative to the project root, with forward slashes (e.g. `src/job/types.ts`). */
  readonly files: readonly string[];
  readonly edges: ReadonlyMap<string, readonly string[]>;
}

// `import ... from './x'`, `export ... from './x'`, `import './x'` and `import('./x')`: the
// specifier follows `from` or `import` directly, however the statement before it spans lines.
const SPECIFIER = /(?:\bfrom|\bimport)\s*\(?\s*['"](\.\.?\/[^'"]*)['"]/g;

export function readImportGraph(projectRoot: string, sourceFolder: string): ImportGraph {
  const files = listTypeScript(join(projectRoot, sourceFolder)).map((file) => toKey(projectRoot, file));
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(join(projectRoot, file), 'utf8');
    const targets = new Set<string>();
    for (const match of text.matchAll(SPECIFIER)) {
      const target = resolveSpecifier(join(projectRoot, dirname(file)), match[1]!);
      if (target === undefined) {
        throw new Error(`${file}: cannot resolve import '${match[1]}'`);
      }
      const key = toKey(projectRoot, target);
      // An import that leaves the folder (src/ reaching an example job) is outside its layers.
      if (key.startsWith(`${sourceFolder}/`)) targets.add(key);
    }
    edges.set(file, [...targets].sort());
  }
  return { files, edges };
}

/** Every cycle's files, each found once, via Tarjan's strongly connected components. */
export function findCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;

  const visit = (file: string): void => {
    index.set(file, counter);
    lowLink.set(file, counter);
    counter += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.edges.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        lowLink.set(file, Math.min(lowLink.get(file)!, lowLink.get(target)!));
      } else if (onStack.has(target)) {
        lowLink.set(file, Math.min(lowLink.get(file)!, index.get(target)!));
      }
    }
    if (lowLink.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    const importsItself = (graph.edges.get(file) ?? []).includes(file);
    if (component.length > 1 || importsItself) cycles.push(component.sort());
  };

  for (const file of graph.files) {
    if (!index.has(file)) visit(file);
  }
  return cycles;
}

/** One path around a cycle, so a failure reads as `a -> b -> c -> a` rather than a set. */
export function cyclePath(graph: ImportGraph, members: readonly string[]): string[] {
  const inCycle = new Set(members);
  const start = members[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const target of graph.edges.get(file) ?? []) {
      if (!inCycle.has(target)) continue;
      if (target === start) {
        const path = [file];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return [...path, start];
      }
      if (!previous.has(target)) {
        previous.set(target, file);
        queue.push(target);
      }
    }
  }
  return [...members];
}

function resolveSpecifier(fromFolder: string, specifier: string): string | undefined {
  const base = resolve(fromFolder, specifier.replace(/\.js$/, ''));
  const candidates = [base, `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((candidate) => candidate.endsWith('.ts') && isFile(candidate));
}

function listTypeScript(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) return listTypeScript(path);
      return entry.name.endsWith('.ts') ? [path] : [];
    })
    .sort();
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

function toKey(projectRoot: string, path: string): string {
  return relative(projectRoot, path).split('\\').join('/');
}
