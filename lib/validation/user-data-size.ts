/**
 * EC2's user-data limit, checked once for every producer of user data: the
 * validator (an EC2NodeClass, with room for what Karpenter appends) and the
 * launch-template command (with room for what the node group appends, or none
 * when the user data already carries the cluster section).
 */
import { KARPENTER_USER_DATA_RESERVE_BYTES, USER_DATA_MAX_BYTES, USER_DATA_WARN_BYTES } from '../bootstrap/soci-facts';
import { Severity } from './finding';

/** Bytes something else adds to the user data before it reaches EC2. */
export interface UserDataReserve {
  readonly bytes: number;
  /** Who appends them, for the message (`Karpenter`). */
  readonly appendedBy: string;
}

/** Karpenter's NodeConfig part: cluster CA, labels, taints, kubelet settings. */
export const KARPENTER_RESERVE: UserDataReserve = { bytes: KARPENTER_USER_DATA_RESERVE_BYTES, appendedBy: 'Karpenter' };

export interface UserDataSizeVerdict {
  /** `error` above EC2's limit, `warning` within its last tenth. */
  readonly severity: Severity;
  /** The user data's own size in bytes (UTF-8). */
  readonly bytes: number;
  /** The figures, and why it matters. */
  readonly message: string;
}

/** Judges the size of `userData` plus `reserve` against EC2's limit; undefined when there is room. */
export function userDataSizeVerdict(userData: string, reserve: UserDataReserve | undefined): UserDataSizeVerdict | undefined {
  const bytes = Buffer.byteLength(userData, 'utf8');
  const total = bytes + (reserve?.bytes ?? 0);
  const figures = reserve
    ? `${bytes} bytes of user data plus about ${reserve.bytes} bytes ${reserve.appendedBy} appends (cluster CA, labels, taints, kubelet settings) = ${total}`
    : `${bytes} bytes of user data`;
  if (total > USER_DATA_MAX_BYTES) {
    return {
      severity: 'error',
      bytes,
      message: `${figures}, over EC2's ${USER_DATA_MAX_BYTES}-byte limit: launch-template creation fails (UserDataSizeLimitExceeded) and no node starts. Fix: shorten scripts, move large files to S3 or the AMI, or gzip+base64 a NodeConfig part.`,
    };
  }
  if (total > USER_DATA_WARN_BYTES) {
    return { severity: 'warning', bytes, message: `${figures}, above ${USER_DATA_WARN_BYTES} bytes, where Karpenter starts warning; little room is left before EC2's ${USER_DATA_MAX_BYTES}-byte limit.` };
  }
  return undefined;
}
