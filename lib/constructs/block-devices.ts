import {
  Ec2NodeClassSpecAmiFamily,
  Ec2NodeClassSpecBlockDeviceMappings,
  Ec2NodeClassSpecBlockDeviceMappingsEbsVolumeType,
} from '../../imports/karpenter.k8s.aws';
import { RECOMMENDED_EBS_THROUGHPUT_MIBPS } from '../bootstrap/soci-facts';

/** The volume that holds containerd's and SOCI's data (the root volume on AL2023, the data volume on Bottlerocket). */
export interface DataVolumeProps {
  /**
   * Size in GiB.
   * @default 100
   */
  readonly sizeGiB?: number;
  /**
   * gp3 IOPS.
   * @default 3000
   */
  readonly iops?: number;
  /**
   * gp3 throughput in MiB/s. SOCI unpacks layers in parallel and is limited by
   * EBS throughput when its data is on EBS; its documentation recommends at least 600.
   * @default 600
   */
  readonly throughputMiBps?: number;
  /**
   * KMS key for EBS encryption. Volumes are always encrypted.
   * @default - the account's default EBS key
   */
  readonly kmsKeyId?: string;
}

const BOTTLEROCKET_OS_VOLUME_GIB = 4;

/**
 * Default block devices: encrypted gp3 everywhere. AL2023 gets one root volume
 * (`/dev/xvda`); Bottlerocket keeps its small OS volume (`/dev/xvda`) and puts
 * containerd and SOCI on a data volume (`/dev/xvdb`), as Karpenter does.
 */
export function defaultBlockDevices(amiFamily: Ec2NodeClassSpecAmiFamily | undefined, props: DataVolumeProps = {}): Ec2NodeClassSpecBlockDeviceMappings[] {
  if (amiFamily === Ec2NodeClassSpecAmiFamily.BOTTLEROCKET) {
    return [
      gp3Volume('/dev/xvda', { sizeGiB: BOTTLEROCKET_OS_VOLUME_GIB, throughputMiBps: 125, kmsKeyId: props.kmsKeyId }, false),
      gp3Volume('/dev/xvdb', props, true),
    ];
  }
  return [gp3Volume('/dev/xvda', props, true)];
}

function gp3Volume(deviceName: string, props: DataVolumeProps, rootVolume: boolean): Ec2NodeClassSpecBlockDeviceMappings {
  return {
    deviceName,
    rootVolume,
    ebs: {
      volumeType: Ec2NodeClassSpecBlockDeviceMappingsEbsVolumeType.GP3,
      volumeSize: `${props.sizeGiB ?? 100}Gi`,
      iops: props.iops ?? 3000,
      throughput: props.throughputMiBps ?? RECOMMENDED_EBS_THROUGHPUT_MIBPS,
      encrypted: true,
      kmsKeyId: props.kmsKeyId,
      deleteOnTermination: true,
    },
  };
}
