import { Controller, Get, Inject, Param } from '@nestjs/common';
import { AppError } from '@brixia/common';
import { readTimeline } from '@brixia/monitoring';
import type { Runtime } from '../runtime';
import { RUNTIME } from '../infrastructure/tokens';

/** Serial-monitoring timeline of one patient (JSON for dashboards; FHIR clients use Observation search). */
@Controller('api/v1/patients')
export class PatientsController {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Get(':id/timeline')
  async timeline(@Param('id') id: string): Promise<unknown> {
    if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) throw new AppError('REQUEST.INVALID', 'Patient id must be a FHIR id');
    const timeline = await readTimeline(this.runtime.scoring.store, id);
    return {
      patientId: timeline.patientId,
      points: timeline.points.map((point) => ({
        observationId: point.observationId,
        imagingStudyId: point.imagingStudyId,
        acquiredAt: point.acquiredAt.toISOString(),
        global: point.global,
        zones: point.zones,
        deltaGlobal: point.deltaGlobal,
        deltaZones: point.deltaZones,
        deltaFromFirst: point.deltaFromFirst,
        daysSincePrevious: point.daysSincePrevious,
        method: point.method,
        status: point.status,
        modelVersion: point.modelVersion,
      })),
    };
  }
}
