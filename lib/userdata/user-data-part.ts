import { stringify as toYaml } from 'yaml';
import { NodeConfigSpec, toJson_NodeConfigSpec } from '../../imports/node.eks.aws';
import { NODE_CONFIG_API_VERSION } from '../bootstrap/soci-facts';
import { ConfigError } from '../errors';
import { KARPENTER_BOUNDARY_LINE_PREFIX, karpenterBoundaryLine } from './karpenter-boundary';

/** Refuses a part body with a line Karpenter's merge would read as a MIME delimiter. */
export function checkNoKarpenterBoundary(where: string, field: string, body: string): void {
  const found = karpenterBoundaryLine(body);
  if (found) {
    throw new ConfigError(where, `${field} line ${found.line}`, found.text,
      `no line may start with "${KARPENTER_BOUNDARY_LINE_PREFIX}": Karpenter re-serialises user data under the MIME boundary "//", so this line would split the part or end the document (indent it, or build the text at boot)`);
  }
}

/** MIME content types that nodeadm and cloud-init act on. */
export enum UserDataContentType {
  /** Run by cloud-init (`cloud-final`), after nodeadm wrote its config and before it starts containerd and kubelet. */
  SHELL_SCRIPT = 'text/x-shellscript; charset="us-ascii"',
  /** A nodeadm `NodeConfig` document; nodeadm merges all of them in order. */
  NODE_CONFIG = 'application/node.eks.aws',
}


/**
 * One part of an Amazon Linux 2023 (nodeadm) multipart user-data document.
 *
 * Parts are immutable values; create them with the static factories.
 */
export class UserDataPart {
  /**
   * A shell script run by cloud-init. It must start with `#!`, or cloud-init
   * would not run it (and Karpenter could take a `KEY: value` line for YAML).
   */
  public static shellScript(script: string): UserDataPart {
    if (!script.startsWith('#!')) {
      throw new ConfigError('UserDataPart.shellScript', 'script', firstLine(script), 'a shell script must start with "#!" (for example "#!/bin/bash")');
    }
    return new UserDataPart(UserDataContentType.SHELL_SCRIPT, withFinalNewline(script));
  }

  /** A nodeadm NodeConfig (`node.eks.aws/v1alpha1`), typed from nodeadm's CRD. */
  public static nodeConfig(spec: NodeConfigSpec): UserDataPart {
    const document = { apiVersion: NODE_CONFIG_API_VERSION, kind: 'NodeConfig', spec: toJson_NodeConfigSpec(spec) };
    return new UserDataPart(UserDataContentType.NODE_CONFIG, toYaml(document, { lineWidth: 0 }), spec);
  }

  /**
   * Any other part, passed through as given (for example `text/cloud-config`).
   * Transfer encodings are not supported: Karpenter drops the header, so the body must be plain text.
   */
  public static raw(contentType: string, body: string): UserDataPart {
    if (/[\r\n]/.test(contentType) || !/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(\s*;.*)?$/i.test(contentType)) {
      throw new ConfigError('UserDataPart.raw', 'contentType', contentType, 'a MIME type such as "text/cloud-config"');
    }
    return new UserDataPart(contentType, withFinalNewline(body));
  }

  private constructor(
    /** The part's `Content-Type` header value. */
    public readonly contentType: string,
    /** The part's body, LF line endings, ending in a newline. */
    public readonly body: string,
    /** The typed NodeConfig spec, for NodeConfig parts. */
    public readonly nodeConfigSpec?: NodeConfigSpec,
  ) {
    if (body.includes('\r')) {
      throw new ConfigError('UserDataPart', 'body', firstLine(body), 'use LF line endings; Karpenter strips every carriage return');
    }
    checkNoKarpenterBoundary('UserDataPart', 'body', body);
  }
}

function withFinalNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0];
}
