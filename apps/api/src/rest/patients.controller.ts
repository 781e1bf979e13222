import { Controller, Get, Inject, Param } from '@nestjs/common';
import { AppError } from '@brixia/common';
import type { PatientMonitoring } from '@brixia/monitoring';
import type { Principal } from '@brixia/auth';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { assertSeesPatient } from '../auth/compartment';
import type { Runtime } from '../runtime';
import { RUNTIME } from '../infrastructure/tokens';
import { FHIR_ID_PATTERN } from '@brixia/fhir';

/**
 * Serial-monitoring timeline of one patient as JSON (points in acquisition order with global, zones,
 * deltas, origin and model version, plus trend and alerts); FHIR clients use Observation search.
 */
@Controller('api/v1/patients')
export class PatientsController {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Get(':id/timeline')
  @Access('Observation', 'r')
  async timeline(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<{ patientId: string; points: PatientMonitoring['timeline']['points']; trend: PatientMonitoring['trend']; alerts: PatientMonitoring['alerts'] }> {
    if (!FHIR_ID_PATTERN.test(id)) throw new AppError('REQUEST.INVALID', 'Patient id must be a FHIR id');
    assertSeesPatient(principal, id, `Patient/${id}`);
    const monitoring = await this.runtime.monitoring.service.monitorPatient(id);
    return { patientId: id, points: monitoring.timeline.points, trend: monitoring.trend, alerts: monitoring.alerts };
  }
}
