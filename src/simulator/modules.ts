import type { SimulatorModule } from './core/module';
import { dataPrepSimulatorModule } from './data-prep/module';
import { flowServiceSimulatorModule } from './flow-service/module';
import { imsSimulatorModule } from './ims/module';
import { marketoSimulatorModule } from './marketo/module';
import { salesConnectSimulatorModule } from './sales-connect/module';
import { sfmcSimulatorModule } from './sfmc/module';

/** Every emulated API; each serves the paths under its own prefix. */
export const allSimulatorModules = [
  imsSimulatorModule,
  flowServiceSimulatorModule,
  dataPrepSimulatorModule,
  sfmcSimulatorModule,
  marketoSimulatorModule,
  salesConnectSimulatorModule,
] as ReadonlyArray<SimulatorModule<unknown>>;
