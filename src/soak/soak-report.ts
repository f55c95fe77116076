import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TrancheError } from '../errors/tranche-error.js';
import { soakReportHtml } from './report-html.js';
import type { SoakResult } from './soak-result.js';

/** Where a report was written. */
export interface ReportFiles {
  html: string;
  json: string;
}

/** Writes DIR/soak-report.html and DIR/soak-report.json (the same figures), creating DIR. */
export async function writeSoakReport(dir: string, result: SoakResult): Promise<ReportFiles> {
  const files = { html: join(dir, 'soak-report.html'), json: join(dir, 'soak-report.json') };
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(files.json, `${JSON.stringify(result, null, 2)}\n`);
    await writeFile(files.html, soakReportHtml(result));
  } catch (error) {
    throw new TrancheError(
      'usage',
      `--report: cannot write the report in ${dir} (${(error as Error).message})`,
      {
        cause: error,
      },
    );
  }
  return files;
}
