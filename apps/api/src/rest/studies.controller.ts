import { Body, Controller, Headers, Inject, Post, Req, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import { AppError } from '@brixia/common';
import { submitUpload } from '@brixia/scoring';
import type { Runtime } from '../runtime';
import { RUNTIME } from '../infrastructure/tokens';
import { wantsAsync } from '../infrastructure/fhir-response';
import { singleValue } from '../infrastructure/single-value';
import { respondToScoringRequest, scoringRequestAudit } from '../fhir/scoring-response';
import { RateLimited } from '../infrastructure/rate-limit.interceptor';

/** Multipart upload of one radiograph (DICOM, PNG or JPEG) for scoring. */
@Controller('api/v1/studies')
export class StudiesController {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Post()
  @RateLimited('scoring')
  @UseInterceptors(FileInterceptor('file'))
  async upload(
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
    const respondAsync = wantsAsync(prefer);
    const recorded = await submitUpload(this.runtime.scoring, {
      bytes: file.buffer,
      patientId: text('patient'),
      acquired: text('acquired'),
      requestId,
      respondAsync,
      audit: scoringRequestAudit(this.runtime, request),
    });
    this.runtime.audit.committed(request);
    await respondToScoringRequest(this.runtime, response, recorded, respondAsync);
  }
}
