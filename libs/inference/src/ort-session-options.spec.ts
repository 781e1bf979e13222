import { sessionOptions } from './ort-session.adapter';

describe('ONNX Runtime session options', () => {
  it('turns thread spinning off unless asked for, and dequantises the weights on the CPU only', () => {
    const cpu = sessionOptions('cpu', {}).extra as { session: Record<string, string> };
    expect(cpu.session).toEqual({ disable_quant_qdq: '1', 'intra_op.allow_spinning': '0', 'inter_op.allow_spinning': '0' });
    const spinning = sessionOptions('cpu', { spinWhileWaiting: true }).extra as { session: Record<string, string> };
    expect(spinning.session).toEqual({ disable_quant_qdq: '1' });
    const webgpu = sessionOptions('webgpu', { intraOpNumThreads: 2 });
    expect((webgpu.extra as { session: Record<string, string> }).session).toEqual({ 'intra_op.allow_spinning': '0', 'inter_op.allow_spinning': '0' });
    expect(webgpu.intraOpNumThreads).toBe(2);
  });
});
