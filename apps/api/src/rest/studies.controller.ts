import { Body, Controller, Headers, Inject, Post, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Response } from 'express';
import { AppError } from '@brixia/common';
import { submitUpload } from '@brixia/scoring';
import type { Principal } from '@brixia/auth';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import type { Runtime } from '../runtime';
import { RUNTIME } from '../infrastructure/tokens';
import { wantsAsync } from '../infrastructure/fhir-response';
import { singleValue } from '../infrastructure/single-value';
import { respondToScoringRequest } from '../fhir/scoring-response';

/** Multipart upload of one radiograph (DICOM, PNG or JPEG) for scoring. */
@Controller('api/v1/studies')
export class StudiesController {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Post()
  @Access('Observation', 'c')
  @UseInterceptors(FileInterceptor('file'))
  async upload(
    @CurrentPrincipal() principal: Principal,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Body() body: Record<string, unknown>,
    @Headers('prefer') prefer: string | undefined,
    @Headers('x-request-id') requestId: string,
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
    const recorded = await submitUpload(this.runtime.scoring, {
      bytes: file.buffer,
      patientId: text('patient'),
      acquired: text('acquired'),
      requestId,
      respondAsync,
    });
    await respondToScoringRequest(this.runtime, response, recorded, respondAsync);
  }
}
