/**
 * Cost of token validation per request (keys cached), beside the same request without authentication,
 * in the same run: two Express apps with one trivial route, one behind the authentication middleware
 * (jose verification against the development provider's JWKS, fetched once), one without.
 * Run:  node -r ./tools/register.js bench/token-validation.bench.ts [--requests 2000]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import express from 'express';
import { AccessTokenVerifier } from '@brixia/auth';
import { silentLogger } from '@brixia/common';
import { authenticationMiddleware } from '../apps/api/src/auth/authentication.middleware';
import { createResourceServer } from '../apps/api/src/auth/resource-server';
import { DEMO_SYSTEM_CLIENT_ID, startDevIssuer } from '../apps/api/src/dev-issuer/dev-issuer';
import { generateDevIssuerKeys } from '../apps/api/src/dev-issuer/dev-issuer-keys';
import { requestSystemToken } from '../apps/api/src/dev-issuer/system-token';

const percentile = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];

async function listen(app: express.Express): Promise<{ url: string; close: () => void }> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

async function timeRequests(url: string, headers: Record<string, string>, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const start = performance.now();
    const response = await fetch(url, { headers });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`status ${response.status}`);
    times.push(performance.now() - start);
  }
  return times;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { requests: { type: 'string', default: '2000' } } });
  const count = Number(values.requests);
  const audience = 'http://127.0.0.1:3000/fhir';
  const keys = await generateDevIssuerKeys();
  const issuer = await startDevIssuer({ port: 0, keys, audiences: [audience], dashboardRedirectUris: [] });
  const discovery = (await (await fetch(`${issuer.url}/.well-known/openid-configuration`)).json()) as { token_endpoint: string; jwks_uri: string };
  const token = await requestSystemToken({ tokenEndpoint: discovery.token_endpoint, clientId: DEMO_SYSTEM_CLIENT_ID, key: keys.systemClient, scope: 'system/*.rs', audience });
  const server = await createResourceServer({ mode: 'on', issuer: issuer.url, audience, clockSkewSeconds: 60, devIssuer: { port: 0, dir: '' } }, silentLogger);
  const handler = (_req: express.Request, res: express.Response): void => void res.json({ ok: true });
  const open = express().get('/fhir/Observation', handler);
  const guarded = express().use(authenticationMiddleware(server, silentLogger)).get('/fhir/Observation', handler);
  const [plain, authed] = [await listen(open), await listen(guarded)];
  // Verification alone (no HTTP), keys cached after the first call.
  const verifier = new AccessTokenVerifier({ issuer: issuer.url, audience, jwksUri: discovery.jwks_uri, clockSkewSeconds: 60 });
  await verifier.verify(token);
  const verifyTimes: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const start = performance.now();
    await verifier.verify(token);
    verifyTimes.push(performance.now() - start);
  }
  await timeRequests(`${authed.url}/fhir/Observation`, { authorization: `Bearer ${token}` }, 100);
  await timeRequests(`${plain.url}/fhir/Observation`, {}, 100);
  const unauthenticated = await timeRequests(`${plain.url}/fhir/Observation`, {}, count);
  const authenticated = await timeRequests(`${authed.url}/fhir/Observation`, { authorization: `Bearer ${token}` }, count);
  const row = (name: string, times: number[]): string => `${name.padEnd(40)} p50 ${percentile(times, 50).toFixed(3)} ms  p95 ${percentile(times, 95).toFixed(3)} ms`;
  process.stdout.write(
    [
      `token validation, ${count} requests each (RS256 JWT access token, keys cached)`,
      row('jose verify alone', verifyTimes),
      row('HTTP request, no authentication', unauthenticated),
      row('HTTP request, bearer token verified', authenticated),
      `added per request (p50): ${(percentile(authenticated, 50) - percentile(unauthenticated, 50)).toFixed(3)} ms`,
      '',
    ].join('\n'),
  );
  plain.close();
  authed.close();
  await issuer.close();
}

void main();
