/**
 * A real check of a service CIDR: an IPv4 or IPv6 address (as node's `net`
 * module reads it), a prefix length within the address width, and no host
 * bits set, since kubelet derives the cluster DNS address from the network.
 */
import { isIPv4, isIPv6 } from 'net';

const CIDR = /^([0-9A-Fa-f.:]+)\/(0|[1-9]\d{0,2})$/;

/** Why `text` is not a network in CIDR notation, or undefined when it is one. */
export function cidrProblem(text: string): string | undefined {
  const match = CIDR.exec(text);
  if (!match) return 'it is not ADDRESS/PREFIX, with a prefix length in decimal';
  const [, address, prefixText] = match;
  const v4 = isIPv4(address);
  if (!v4 && !isIPv6(address)) return `${address} is not an IPv4 or IPv6 address`;
  const width = v4 ? 32 : 128;
  const prefix = Number(prefixText);
  if (prefix > width) return `an ${v4 ? 'IPv4' : 'IPv6'} prefix length is at most ${width}`;
  const bits = v4 ? ipv4Bits(address) : ipv6Bits(address);
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  if ((bits & hostMask) === 0n) return undefined;
  const network = bits & ~hostMask;
  return `host bits are set after the /${prefix} prefix; the network is ${v4 ? formatIpv4(network) : formatIpv6(network)}/${prefix}`;
}

function ipv4Bits(address: string): bigint {
  return address.split('.').reduce((bits, octet) => (bits << 8n) | BigInt(Number(octet)), 0n);
}

/** An address `isIPv6` accepted (no zone), as 128 bits; `::` and an IPv4 tail expanded. */
function ipv6Bits(address: string): bigint {
  let text = address;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const v4 = ipv4Bits(tail[1]);
    text = `${text.slice(0, -tail[1].length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const [head, rest] = text.split('::');
  const all = rest === undefined ? groups(head) : [...groups(head), ...Array(8 - groups(head).length - groups(rest).length).fill('0'), ...groups(rest)];
  return all.reduce((bits, group) => (bits << 16n) | BigInt(parseInt(group, 16)), 0n);
}

function formatIpv4(bits: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((bits >> shift) & 0xffn)).join('.');
}

/** The canonical (compressed) spelling, as the WHATWG URL parser writes IPv6 hosts. */
function formatIpv6(bits: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((bits >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}
