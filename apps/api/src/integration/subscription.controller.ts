import { Body, Controller, Delete, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createSubscription, deleteSubscription, readSubscription, subscriptionStatus, subscriptionStatuses } from '@brixia/scoring';
import type { Principal } from '@brixia/auth';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { assertNotPatientScoped } from '../auth/compartment';
import type { Runtime } from '../runtime';
import { RUNTIME } from '../infrastructure/tokens';
import { sendCreated, sendFhir } from '../infrastructure/fhir-response';

/** FHIR Subscriptions (R5 Backport on R4): create, read, delete and `$status`. */
@Controller('fhir/Subscription')
export class SubscriptionController {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Post()
  @Access('Subscription', 'c')
  async create(@Body() body: unknown, @CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    // A Subscription's topic covers every patient's results.
    assertNotPatientScoped(principal, 'Subscription');
    const subscription = await createSubscription(this.runtime.scoring, body);
    sendCreated(request, response, 201, subscription, { Location: `${this.runtime.config.fhir.baseUrl}/Subscription/${subscription.id}` });
  }

  @Get('\\$status')
  @Access('Subscription', 'r')
  async statuses(@CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    assertNotPatientScoped(principal, 'Subscription');
    const pairs = [...new URL(request.originalUrl, 'http://localhost').searchParams.entries()];
    const values = (name: string): string[] => pairs.filter(([key]) => key === name).flatMap(([, value]) => value.split(',')).filter((value) => value !== '');
    const ids = values('id').map((id) => id.replace(/^.*Subscription\//, ''));
    sendFhir(response, 200, await subscriptionStatuses(this.runtime.scoring, { ids, statuses: values('status') }, `${this.runtime.config.publicBaseUrl}${request.originalUrl}`));
  }

  @Get(':id/$status')
  @Access('Subscription', 'r')
  async status(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    assertNotPatientScoped(principal, 'Subscription');
    sendFhir(response, 200, await subscriptionStatus(this.runtime.scoring, id, `${this.runtime.config.publicBaseUrl}${request.originalUrl}`));
  }

  @Get(':id')
  @Access('Subscription', 'r')
  async read(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    assertNotPatientScoped(principal, 'Subscription');
    sendFhir(response, 200, await readSubscription(this.runtime.scoring, id));
  }

  @Delete(':id')
  @Access('Subscription', 'd')
  async remove(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    assertNotPatientScoped(principal, 'Subscription');
    await deleteSubscription(this.runtime.scoring, id);
    response.status(204).end();
  }
}
