import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { transform } from '@swc/core';
import type { Request, Response } from 'express';
import { AppError } from '@brixia/common';
import { PublicRoute } from '../auth/access.decorator';

/** apps/dashboard/src, next to this app in the repository. */
export const DASHBOARD_DIR = resolve(__dirname, '../../../dashboard/src');

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

/**
 * Serves the reference dashboard (apps/dashboard, which talks to the service only through
 * GraphQL): HTML and CSS as they are, each `<name>.js` transpiled once from `<name>.ts` with SWC
 * (type annotations stripped, ES modules kept), so there is no build step to run.
 */
@Controller('dashboard')
export class DashboardAssetsController {
  private readonly cache = new Map<string, string>();

  @Get()
  @PublicRoute()
  index(@Req() request: Request, @Res() response: Response): void {
    // Relative asset URLs in index.html need the trailing slash.
    if (!request.originalUrl.split('?')[0].endsWith('/')) {
      response.redirect(301, '/dashboard/');
      return;
    }
    response.sendFile(resolve(DASHBOARD_DIR, 'index.html'), { headers: { 'Content-Type': TYPES['.html'] } });
  }

  @Get(':file')
  @PublicRoute()
  async asset(@Param('file') file: string, @Res() response: Response): Promise<void> {
    const match = /^([a-z0-9-]+(?:\.[a-z0-9-]+)*)(\.js|\.css|\.html)$/.exec(file);
    if (!match) throw new AppError('RESOURCE.NOT_FOUND', 'No such dashboard file');
    const [, name, extension] = match;
    const source = resolve(DASHBOARD_DIR, extension === '.js' ? `${name}.ts` : file);
    if (!source.startsWith(DASHBOARD_DIR) || !existsSync(source)) throw new AppError('RESOURCE.NOT_FOUND', 'No such dashboard file');
    let body = this.cache.get(source);
    if (body === undefined) {
      const text = await readFile(source, 'utf8');
      body = extension === '.js' ? (await transform(text, { filename: source, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' }, swcrc: false })).code : text;
      this.cache.set(source, body);
    }
    response.status(200).type(TYPES[extension]).send(body);
  }
}
