import { z } from 'zod';
import { MEMBER_NAME } from '../job/job-id';
import { connectionSchema, defaultPort } from './connection';
import type { ConfigIssueAt } from './connection-groups';

/** What a template group's member may set: its name, and where it differs from the template. */
const templateMember = z
  .object({
    name: z
      .string()
      .regex(MEMBER_NAME, 'must be a member name: lowercase letters, digits and -, at most 32 characters'),
    host: z.string().optional(),
    port: z.number().optional(),
    database: z.string().optional(),
  })
  .strict();

/**
 * A connection group written as a template: one connection's fields (`template`) shared by every
 * member, and the members, each a name and the host, port or database it differs in. Each member
 * becomes a connection of that name, so the rest of the deployment treats it as any group's.
 */
export const connectionTemplateGroupSchema = z
  .object({
    template: z.record(z.string(), z.unknown()),
    members: z.array(templateMember).min(1, 'must list at least one member'),
  })
  .strict();

export type ConnectionTemplateGroup = z.input<typeof connectionTemplateGroupSchema>;

const OVERRIDES = ['host', 'port', 'database'] as const;

function isTemplateGroup(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The config with every template group expanded: its members added to `connections` and the group
 * made the list of their names. A field the template gets wrong is reported once, at the
 * template; one a member gets wrong, at that member. Input that is not a config object, or has no
 * template groups, comes back as it was.
 */
export function expandConnectionTemplates(input: unknown): { config: unknown; issues: ConfigIssueAt[] } {
  if (typeof input !== 'object' || input === null) return { config: input, issues: [] };
  const config = input as { connections?: unknown; connectionGroups?: unknown };
  const groups = config.connectionGroups;
  if (typeof groups !== 'object' || groups === null) return { config: input, issues: [] };
  const templated = Object.entries(groups).filter(([, g]) => isTemplateGroup(g));
  if (templated.length === 0) return { config: input, issues: [] };

  const issues: ConfigIssueAt[] = [];
  const connections: Record<string, unknown> = { ...((config.connections as object | undefined) ?? {}) };
  const expandedGroups: Record<string, unknown> = { ...groups };
  const reached = new Map<string, string>();
  for (const [groupName, raw] of templated) {
    const at = ['connectionGroups', groupName];
    const parsed = connectionTemplateGroupSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        issues.push({
          path: [...at, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))],
          message:
            issue.code === 'unrecognized_keys'
              ? `unknown field(s) ${issue.keys.join(', ')}: a template group has template and members; a member has name, host, port and database`
              : issue.message,
        });
      }
      continue;
    }
    const { template, members } = parsed.data;
    const seenTemplateIssues = new Set<string>();
    members.forEach((member, i) => {
      const { name, ...overrides } = member;
      if (connections[name] !== undefined) {
        issues.push({
          path: [...at, 'members', i, 'name'],
          message: `'${name}' is already a connection (or a member of another group): rename the member`,
        });
        return;
      }
      const merged = { ...template, ...overrides };
      const checked = connectionSchema.safeParse(merged);
      if (!checked.success) {
        for (const issue of checked.error.issues) {
          const field = String(issue.path[0] ?? '');
          const byMember = (OVERRIDES as readonly string[]).includes(field) && field in overrides;
          const path = byMember
            ? [...at, 'members', i, ...issue.path.map(String)]
            : [...at, 'template', ...issue.path.map(String)];
          const key = `${path.join('.')}:${issue.message}`;
          if (!byMember && seenTemplateIssues.has(key)) continue;
          seenTemplateIssues.add(key);
          const message =
            !byMember &&
            issue.message.startsWith('Invalid input') &&
            (OVERRIDES as readonly string[]).includes(field)
              ? `is missing: set ${field} in the template or in every member`
              : issue.message;
          issues.push({ path, message });
        }
        return;
      }
      const c = checked.data;
      const where = `${c.host}:${c.port ?? defaultPort(c.engine)}/${c.database}`;
      const other = reached.get(where);
      if (other !== undefined) {
        issues.push({
          path: [...at, 'members', i],
          message: `reaches ${where}, as member '${other}' does: give it its own host, port or database`,
        });
      }
      reached.set(where, name);
      connections[name] = merged;
    });
    expandedGroups[groupName] = members.map((m) => m.name);
  }
  return { config: { ...config, connections, connectionGroups: expandedGroups }, issues };
}
