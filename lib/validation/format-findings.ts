/** Human-readable rendering of a report: one finding per line, errors first, stable order. */
import { describeValue } from '../errors';
import { Finding, ValidationReport } from './finding';

export function formatFinding(f: Finding): string {
  return `${f.severity.toUpperCase()} [${f.rule}] ${f.source} ${f.kind}/${f.name} ${f.jsonPath || '/'} ${describeValue(f.value)}: ${f.message}`;
}

export function formatFindings(report: ValidationReport): string {
  const lines = [...report.errors, ...report.warnings].map(formatFinding);
  lines.push(`${report.errors.length} error(s), ${report.warnings.length} warning(s); CEL rules evaluated: ${report.celRulesEvaluated}, skipped (oldSelf): ${report.celRulesSkipped}`);
  return lines.join('\n');
}
