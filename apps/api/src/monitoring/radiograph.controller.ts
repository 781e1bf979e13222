import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppError } from '@brixia/common';
import { decodeRadiograph } from '@brixia/imaging';
import { displayRaster, renderGreyPng } from '@brixia/monitoring';
import type { Principal } from '@brixia/auth';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { assertSeesPatient } from '../auth/compartment';
import { APP_CONFIG, SCORING_CONTEXT } from '../infrastructure/tokens';
import { FHIR_ID_PATTERN } from '@brixia/fhir';
import { noteAccess } from '../audit/audit-trail';
import type { AppConfig } from '../config';
import type { ScoringContext } from '@brixia/scoring';

/** The stored radiograph as a display PNG (same size as the explanation overlays), for viewers. */
@ApiTags('images')
@Controller('api/v1/images')
export class RadiographController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SCORING_CONTEXT) private readonly scoring: ScoringContext,
  ) {}

  @ApiOperation({ summary: 'The stored radiograph as a display PNG', description: 'Same geometry as the explanation overlays; for viewers.' })
  @ApiParam({ name: 'id', description: 'id of the stored image (GraphQL `assessment.radiographUrl` links it)' })
  @ApiProduces('image/png')
  @ApiResponse({ status: 200, description: 'PNG' })
  @ApiResponse({ status: 404, description: 'No such image (OperationOutcome)' })
  @Get(':id/radiograph.png')
  @Access('ImagingStudy', 'r')
  async radiograph(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    if (!FHIR_ID_PATTERN.test(id)) throw new AppError('REQUEST.INVALID', 'Image id must be a FHIR id');
    if (principal.patient !== undefined) assertSeesPatient(principal, await this.scoring.store.findImagePatientId(id), `Image ${id}`);
    const image = await this.scoring.store.loadImageContent(id);
    if (!image) throw new AppError('RESOURCE.NOT_FOUND', `Image ${id} is not held by this service`);
    const study = await this.scoring.store.findStudy(image.imagingStudyId);
    noteAccess(response.req, { entities: [`ImagingStudy/${image.imagingStudyId}`], patientIds: study ? [study.patientId] : [] });
    const decoded = await decodeRadiograph(image.content, { defaultTimezoneOffset: this.config.defaultTimezoneOffset });
    const png = await renderGreyPng(await displayRaster(decoded.image));
    response.status(200).type('image/png').setHeader('Cache-Control', 'no-store').send(png);
  }
}
