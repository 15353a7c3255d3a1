import { type PreflightCheck, pass, refuse } from '../types';

export const serverRole: PreflightCheck = {
  name: 'server-role',
  description: 'The connection reaches a writable primary, not a replica or a read-only server.',
  async run({ db }) {
    const role = await db.serverRole();
    if (role.replica) return refuse(this.name, `${role.detail} Point the job's connection at the primary.`);
    if (role.readOnly) return refuse(this.name, `${role.detail} The job needs a writable primary.`);
    return pass(this.name, role.detail);
  },
};
