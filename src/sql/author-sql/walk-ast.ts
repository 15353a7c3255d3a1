/** Visits every object in a parser's JSON tree (both parsers give plain JSON), depth first. */
export function visitObjects(
  tree: unknown,
  visit: (node: Record<string, unknown>) => string | undefined,
): string | undefined {
  const stack: unknown[] = [tree];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      stack.push(...value);
    } else if (value !== null && typeof value === 'object') {
      const node = value as Record<string, unknown>;
      const problem = visit(node);
      if (problem) return problem;
      stack.push(...Object.values(node));
    }
  }
  return undefined;
}
