import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { readDevIssuerState } from './dev-issuer-keys';
import { requestSystemToken } from './system-token';

/**
 * `npm run --silent token -- [--scope "system/*.rs"] [--patient ID] [--user ID]`: prints an access token
 * of the demo system client for the running embedded service (its development provider).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { scope: { type: 'string', default: 'system/*.cruds' }, patient: { type: 'string' }, user: { type: 'string' }, dir: { type: 'string' } },
    allowPositionals: false,
  });
  const dir = resolve(values.dir ?? process.env['BRIXIA_DEV_ISSUER_DIR'] ?? 'data/dev-issuer');
  const { state, keys } = await readDevIssuerState(dir).catch(() => {
    throw new Error(`no development provider state in ${dir}: start the service first (npm start, without BRIXIA_AUTH_ISSUER)`);
  });
  const discovery = (await (await fetch(`${state.issuer}/.well-known/openid-configuration`)).json()) as { token_endpoint: string };
  const user = values.user ? (values.user.includes('/') ? values.user : `Practitioner/${values.user}`) : undefined;
  const token = await requestSystemToken({ tokenEndpoint: discovery.token_endpoint, clientId: state.systemClientId, key: keys.systemClient, scope: values.scope ?? 'system/*.cruds', audience: state.audience, patient: values.patient, fhirUser: user });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
