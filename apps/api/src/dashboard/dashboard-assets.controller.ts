import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { transform } from '@swc/core';
import type { Request, Response } from 'express';
import { AppError } from '@brixia/common';
import { PublicRoute } from '../auth/access.decorator';

/** apps/dashboard/src, next to this app in the repository. */
export const DASHBOARD_DIR = resolve(__dirname, '../../../dashboard/src');

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

/** Third-party browser files the dashboard loads, served from npm packages (no CDN). */
const VENDOR_FILES: Readonly<Record<string, readonly [pkg: string, file: string]>> = {
  'd3.js': ['d3', 'dist/d3.min.js'],
};

/** A file inside an installed package, found on Node's module paths (d3's `exports` hide its package.json). */
function vendorPath(pkg: string, file: string): string {
  for (const dir of require.resolve.paths(pkg) ?? []) {
    if (existsSync(join(dir, pkg, 'package.json'))) return join(dir, pkg, file);
  }
  throw new AppError('RESOURCE.NOT_FOUND', `The package ${pkg} is not installed`);
}

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

  @Get('vendor/:file')
  @PublicRoute()
  async vendor(@Param('file') file: string, @Res() response: Response): Promise<void> {
    const entry = VENDOR_FILES[file];
    if (entry === undefined) throw new AppError('RESOURCE.NOT_FOUND', 'No such dashboard file');
    const source = vendorPath(...entry);
    let body = this.cache.get(source);
    if (body === undefined) {
      body = await readFile(source, 'utf8');
      this.cache.set(source, body);
    }
    response.status(200).type(TYPES[file.endsWith('.css') ? '.css' : '.js']).send(body);
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
