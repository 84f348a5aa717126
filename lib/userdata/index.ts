// Public API of the user-data layer.
export { UserDataPart, UserDataContentType } from './user-data-part';
export { renderMultipart } from './multipart';

// nodeadm's generated NodeConfig types, which `UserDataPart.nodeConfig(spec)` and a bootstrap's
// cluster section are written in.
export { NodeConfigSpecInstanceLocalStorageDisabledMounts, NodeConfigSpecInstanceLocalStorageStrategy } from '../../imports/node.eks.aws';
export type {
  NodeConfigSpec,
  NodeConfigSpecCluster,
  NodeConfigSpecContainerd,
  NodeConfigSpecInstance,
  NodeConfigSpecInstanceLocalStorage,
  NodeConfigSpecInstanceNetwork,
  NodeConfigSpecKubelet,
} from '../../imports/node.eks.aws';
