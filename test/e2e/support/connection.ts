/** The connection name every e2e job uses. Kept apart from the harness so a child process can load it without vitest. */
export const CONNECTION = 'main';
