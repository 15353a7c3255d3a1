// Function bodies whose init fails, one per way the Lambda runtime reports it.
export const throwsAtInit = `
throw new TypeError('config missing');
export const handler = async () => 'never';
`;
export const missingImport = `
import 'a-package-the-asset-does-not-carry';
export const handler = async () => 'never';
`;
export const noHandlerExport = `
export const somethingElse = async () => 'never';
`;
