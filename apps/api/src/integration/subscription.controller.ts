import { Body, Controller, Delete, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createSubscription, deleteSubscription, readSubscription, subscriptionStatus, subscriptionStatuses, type ScoringContext } from '@brixia/scoring';
import type { Principal } from '@brixia/auth';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { assertNotPatientScoped } from '../auth/compartment';
import { APP_CONFIG, SCORING_CONTEXT } from '../infrastructure/tokens';
import { sendCreated, sendFhir } from '../infrastructure/fhir-response';
import type { AppConfig } from '../config';

/** FHIR Subscriptions (R5 Backport on R4): create, read, delete and `$status`. */
@Controller('fhir/Subscription')
export class SubscriptionController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SCORING_CONTEXT) private readonly scoring: ScoringContext,
  ) {}

  @Post()
  @Access('Subscription', 'c')
  async create(@Body() body: unknown, @CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    // A Subscription's topic covers every patient's results.
    assertNotPatientScoped(principal, 'Subscription');
    const subscription = await createSubscription(this.scoring, body);
    sendCreated(request, response, 201, subscription, { Location: `${this.config.fhir.baseUrl}/Subscription/${subscription.id}` });
  }

  @Get('\\$status')
  @Access('Subscription', 'r')
  async statuses(@CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    assertNotPatientScoped(principal, 'Subscription');
    const pairs = [...new URL(request.originalUrl, 'http://localhost').searchParams.entries()];
    const values = (name: string): string[] => pairs.filter(([key]) => key === name).flatMap(([, value]) => value.split(',')).filter((value) => value !== '');
    const ids = values('id').map((id) => id.replace(/^.*Subscription\//, ''));
    sendFhir(response, 200, await subscriptionStatuses(this.scoring, { ids, statuses: values('status') }, `${this.config.publicBaseUrl}${request.originalUrl}`));
  }

  @Get(':id/$status')
  @Access('Subscription', 'r')
  async status(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    assertNotPatientScoped(principal, 'Subscription');
    sendFhir(response, 200, await subscriptionStatus(this.scoring, id, `${this.config.publicBaseUrl}${request.originalUrl}`));
  }

  @Get(':id')
  @Access('Subscription', 'r')
  async read(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    assertNotPatientScoped(principal, 'Subscription');
    sendFhir(response, 200, await readSubscription(this.scoring, id));
  }

  @Delete(':id')
  @Access('Subscription', 'd')
  async remove(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    assertNotPatientScoped(principal, 'Subscription');
    await deleteSubscription(this.scoring, id);
    response.status(204).end();
  }
}
