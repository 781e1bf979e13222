import { Body, Controller, Headers, Inject, Post, Req, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import { AppError } from '@brixia/common';
import { submitUpload, type ScoringContext } from '@brixia/scoring';
import type { Principal } from '@brixia/auth';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { APP_CONFIG, AUDIT_TRAIL, SCORING_CONTEXT } from '../infrastructure/tokens';
import { wantsAsync } from '../infrastructure/fhir-response';
import { singleValue } from '../infrastructure/single-value';
import { respondToScoringRequest, scoringRequestAudit } from '../fhir/scoring-response';
import { RateLimited } from '../infrastructure/rate-limit.interceptor';
import type { AppConfig } from '../config';
import type { AuditTrail } from '../audit/audit-trail';

/** Multipart upload of one radiograph (DICOM, PNG or JPEG) for scoring. */
@ApiTags('studies')
@Controller('api/v1/studies')
export class StudiesController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SCORING_CONTEXT) private readonly scoring: ScoringContext,
    @Inject(AUDIT_TRAIL) private readonly audit: AuditTrail,
  ) {}

  @ApiOperation({
    summary: 'Upload one radiograph for scoring',
    description:
      'DICOM (patient and acquisition time from the header when not given), PNG or JPEG. Synchronous by default: 201 with the ' +
      'Observation (Content-Location = its Task). With `Prefer: respond-async`: 202 and Content-Location of the Task to poll.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: {
        file: { type: 'string', format: 'binary', description: 'DICOM Part 10, PNG or JPEG' },
        patient: { type: 'string', description: 'FHIR id of the patient (required for PNG/JPEG; DICOM falls back to PatientID)' },
        acquired: { type: 'string', format: 'date-time', description: 'acquisition instant with a timezone (DICOM falls back to the header)' },
      },
    },
  })
  @ApiHeader({ name: 'Prefer', required: false, description: '`respond-async` for the asynchronous pattern' })
  @ApiResponse({ status: 201, description: 'Scored: the Brixia Observation (application/fhir+json)' })
  @ApiResponse({ status: 202, description: 'Accepted: poll the Task named by Content-Location' })
  @ApiResponse({ status: 400, description: 'Bad request (OperationOutcome)' })
  @ApiResponse({ status: 409, description: 'The image is already recorded for another patient (OperationOutcome)' })
  @ApiResponse({ status: 413, description: 'Upload over the size limit (OperationOutcome)' })
  @ApiResponse({ status: 422, description: 'Not a scorable frontal chest radiograph (OperationOutcome)' })
  @Post()
  @RateLimited('scoring')
  @Access('Observation', 'c')
  @UseInterceptors(FileInterceptor('file'))
  async upload(
    @CurrentPrincipal() principal: Principal,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Body() body: Record<string, unknown>,
    @Headers('prefer') prefer: string | undefined,
    @Headers('x-request-id') requestId: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    if (!file) throw new AppError('REQUEST.INVALID', 'Send the image as multipart/form-data field "file"', { expression: ['file'] });
    // An empty form field means "not given".
    const text = (name: string): string | undefined => singleValue(body, name) || undefined;
    // A patient-scoped token uploads for its own patient only, named in the form (not left to the file).
    if (principal.patient !== undefined && text('patient') !== principal.patient) {
      throw new AppError('AUTH.SCOPE_INSUFFICIENT', 'A patient-scoped token uploads only for its own patient (form field "patient")');
    }
    const respondAsync = wantsAsync(prefer);
    const recorded = await submitUpload(this.scoring, {
      bytes: file.buffer,
      patientId: text('patient'),
      acquired: text('acquired'),
      requestId,
      respondAsync,
      audit: scoringRequestAudit(this.audit, request),
    });
    this.audit.committed(request);
    await respondToScoringRequest(this.scoring, this.config, response, recorded, respondAsync);
  }
}
