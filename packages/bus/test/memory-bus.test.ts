import { busConfig } from '../src/defaults.js';
import { MemoryBus } from '../src/memory/memory-bus.js';
import { CONFORMANCE_TIMINGS, runBusConformance } from './conformance.js';

runBusConformance('MemoryBus', async () => {
  const bus = new MemoryBus(busConfig({ ...CONFORMANCE_TIMINGS, prefix: 'mem' }));
  return { bus, dispose: () => bus.close() };
});
