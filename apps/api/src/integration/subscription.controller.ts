import { Body, Controller, Delete, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createSubscription, deleteSubscription, readSubscription, subscriptionStatus, subscriptionStatuses } from '@brixia/scoring';
import type { Runtime } from '../runtime';
import { RUNTIME } from '../infrastructure/tokens';
import { sendCreated, sendFhir } from '../infrastructure/fhir-response';

/** FHIR Subscriptions (R5 Backport on R4): create, read, delete and `$status`. */
@Controller('fhir/Subscription')
export class SubscriptionController {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Post()
  async create(@Body() body: unknown, @Req() request: Request, @Res() response: Response): Promise<void> {
    const subscription = await createSubscription(this.runtime.scoring, body);
    sendCreated(request, response, 201, subscription, { Location: `${this.runtime.config.fhir.baseUrl}/Subscription/${subscription.id}` });
  }

  @Get('\\$status')
  async statuses(@Req() request: Request, @Res() response: Response): Promise<void> {
    const pairs = [...new URL(request.originalUrl, 'http://localhost').searchParams.entries()];
    const values = (name: string): string[] => pairs.filter(([key]) => key === name).flatMap(([, value]) => value.split(',')).filter((value) => value !== '');
    const ids = values('id').map((id) => id.replace(/^.*Subscription\//, ''));
    sendFhir(response, 200, await subscriptionStatuses(this.runtime.scoring, { ids, statuses: values('status') }, `${this.runtime.config.publicBaseUrl}${request.originalUrl}`));
  }

  @Get(':id/$status')
  async status(@Param('id') id: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    sendFhir(response, 200, await subscriptionStatus(this.runtime.scoring, id, `${this.runtime.config.publicBaseUrl}${request.originalUrl}`));
  }

  @Get(':id')
  async read(@Param('id') id: string, @Res() response: Response): Promise<void> {
    sendFhir(response, 200, await readSubscription(this.runtime.scoring, id));
  }

  @Delete(':id')
  async remove(@Param('id') id: string, @Res() response: Response): Promise<void> {
    await deleteSubscription(this.runtime.scoring, id);
    response.status(204).end();
  }
}
