import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cyclePath, findCycles, type ImportGraph, readImportGraph } from './import-graph';

/**
 * The layers of src/, ground up. A file may import from its own folder and from any folder on a
 * lower layer; folders on one layer are independent of each other. A new top-level folder must be
 * given a layer here before the test passes, so where it sits is decided, not drifted into.
 */
const LAYERS: readonly (readonly string[])[] = [
  // SQL text without a database: lexer, identifiers, the fragment screen, the author-SQL grammar.
  ['sql'],
  // The Database interface and its drivers.
  ['db'],
  // The job model; a custom job's hooks are written against db's Database and Tx.
  ['job'],
  // The control store: lease, checkpoints, history.
  ['control'],
  // One batch and the checks around it; the health signals.
  ['engine', 'health'],
  // The DDL guard, a preflight check of the engine's kind.
  ['ddl'],
  // Multi-step schema changes built from guarded phases.
  ['recipes'],
  // The deployment config, shared by infra and the Lambdas.
  ['config'],
  // The run: its state, its lifecycle, its one table of steps (and the preflight a run composes).
  ['run'],
  // The handlers, their Lambda wiring and the local runtime.
  ['runtime'],
  // The lowtide command, the demo, the lint command.
  ['cli'],
  // The package's entry point (src/index.ts).
  ['index.ts'],
];

const graph = readImportGraph(join(import.meta.dirname, '../..'), 'src');

/** `src/engine/kinds/x.ts` -> `engine`; a file directly in src/ is its own folder (`index.ts`). */
function folderOf(file: string): string {
  return file.split('/')[1]!;
}

function layerOf(folder: string): number {
  return LAYERS.findIndex((layer) => layer.includes(folder));
}

function describeLayer(folder: string): string {
  return `${folder} (layer ${layerOf(folder) + 1}: ${LAYERS[layerOf(folder)]!.join(', ')})`;
}

/** Every import that does not run down a layer, as a sentence naming both files and both layers. */
function importsAgainstLayers(importGraph: ImportGraph): string[] {
  const problems: string[] = [];
  for (const [file, targets] of importGraph.edges) {
    const from = folderOf(file);
    for (const target of targets) {
      const to = folderOf(target);
      // A folder without a layer is reported by its own test.
      if (layerOf(from) < 0 || layerOf(to) < 0) continue;
      if (from === to || layerOf(from) > layerOf(to)) continue;
      const direction = layerOf(from) === layerOf(to) ? 'across its layer' : 'up';
      problems.push(
        `${file} imports ${target}: ${describeLayer(from)} may not import ${direction} from ${describeLayer(to)}`,
      );
    }
  }
  return problems;
}

describe('the import structure of src/', () => {
  it('reads the whole of src/', () => {
    expect(graph.files.length).toBeGreaterThan(100);
    expect([...graph.edges.values()].flat().length).toBeGreaterThan(graph.files.length);
  });

  it('gives every top-level folder of src/ exactly one layer', () => {
    const folders = [...new Set(graph.files.map(folderOf))].sort();
    const unplaced = folders.filter((folder) => layerOf(folder) < 0);
    expect(unplaced, 'add these folders to LAYERS in test/architecture/layers.test.ts').toEqual([]);
    const listed = LAYERS.flat();
    expect(listed.length, 'a folder is listed on two layers').toBe(new Set(listed).size);
  });

  it('has no circle among its files', () => {
    const circles = findCycles(graph).map((members) => cyclePath(graph, members).join(' -> '));
    expect(circles, `import circles:\n${circles.join('\n')}`).toEqual([]);
  });

  it('imports only down the layers', () => {
    const problems = importsAgainstLayers(graph);
    expect(problems, `imports against the layers:\n${problems.join('\n')}`).toEqual([]);
  });
});
