import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AppError } from '@brixia/common';
import type { MonitoringService, PatientMonitoring } from '@brixia/monitoring';
import type { Principal } from '@brixia/auth';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { assertSeesPatient } from '../auth/compartment';
import { MONITORING_SERVICE } from '../infrastructure/tokens';
import { FHIR_ID_PATTERN } from '@brixia/fhir';

/**
 * Serial-monitoring timeline of one patient as JSON (points in acquisition order with global, zones,
 * deltas, origin and model version, plus trend and alerts); FHIR clients use Observation search.
 */
@ApiTags('patients')
@Controller('api/v1/patients')
export class PatientsController {
  constructor(@Inject(MONITORING_SERVICE) private readonly monitoring: MonitoringService) {}

  @ApiOperation({ summary: "A patient's serial-monitoring timeline", description: 'Points in acquisition order (global, zones, deltas, origin, model version), trend and alerts. Informational, not diagnostic.' })
  @ApiParam({ name: 'id', description: 'FHIR id of the patient' })
  @ApiResponse({ status: 200, description: 'The timeline (JSON)' })
  @ApiResponse({ status: 400, description: 'Not a FHIR id (OperationOutcome)' })
  @Get(':id/timeline')
  @Access('Observation', 'r')
  async timeline(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<{ patientId: string; points: PatientMonitoring['timeline']['points']; trend: PatientMonitoring['trend']; alerts: PatientMonitoring['alerts'] }> {
    if (!FHIR_ID_PATTERN.test(id)) throw new AppError('REQUEST.INVALID', 'Patient id must be a FHIR id');
    assertSeesPatient(principal, id, `Patient/${id}`);
    const monitoring = await this.monitoring.monitorPatient(id);
    return { patientId: id, points: monitoring.timeline.points, trend: monitoring.trend, alerts: monitoring.alerts };
  }
}
