import ExcelJS from 'exceljs';
import type { AssessmentReport, UnitFigures } from '../../domain/assessment';
import { DETAIL_COLUMNS, SUMMARY_COLUMNS, explanation, periodTitle } from './assessment-columns';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * The assessment as an XLSX workbook (exceljs: a well-kept, MIT-licensed writer and reader of the Office
 * Open XML format; our own would be a zip of XML we would have to keep right). Three sheets:
 * 汇总 — one row per child unit and a 合计 row, the SUMMARY_COLUMNS; 明细 — one row per unit and deadline
 * kind; 说明 — period, generated at, weights and rules. Rates are numbers formatted as percentages.
 */
export async function assessmentXlsx(r: AssessmentReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'jiuzhu';
  wb.created = new Date(r.generatedAt);
  const rows: { code: string; name: string; figures: UnitFigures }[] = [...r.units, { code: r.org.code, name: `合计（${r.org.name}）`, figures: r.total }];

  const summary = wb.addWorksheet('汇总', { views: [{ state: 'frozen', xSplit: 2, ySplit: 1 }] });
  summary.addRow(['单位代码', '单位', ...SUMMARY_COLUMNS.map((c) => c.header)]);
  for (const u of rows) summary.addRow([u.code, u.name, ...SUMMARY_COLUMNS.map((c) => c.value(u.figures))]);
  SUMMARY_COLUMNS.forEach((c, i) => {
    const col = summary.getColumn(i + 3);
    col.width = Math.max(10, c.header.length * 2 + 2);
    if (c.kind === 'rate') col.numFmt = '0.0%';
    if (c.kind === 'days' || c.kind === 'score') col.numFmt = '0.0';
  });
  summary.getColumn(1).width = 16;
  summary.getColumn(2).width = 24;
  summary.getRow(1).font = { bold: true };
  summary.getRow(rows.length + 1).font = { bold: true };

  const detail = wb.addWorksheet('明细', { views: [{ state: 'frozen', ySplit: 1 }] });
  detail.addRow(['单位代码', '单位', '期限种类', '期限名称', ...DETAIL_COLUMNS.map((c) => c.header)]);
  for (const u of rows) {
    for (const [kind, counts] of Object.entries(u.figures.byKind)) {
      detail.addRow([u.code, u.name, kind, r.kindLabels[kind] ?? kind, ...DETAIL_COLUMNS.map((c) => c.value(counts))]);
    }
  }
  DETAIL_COLUMNS.forEach((c, i) => {
    if (c.kind === 'rate') detail.getColumn(i + 5).numFmt = '0.0%';
  });
  detail.getColumn(1).width = 16;
  detail.getColumn(2).width = 24;
  detail.getColumn(3).width = 26;
  detail.getColumn(4).width = 30;
  detail.getRow(1).font = { bold: true };

  const notes = wb.addWorksheet('说明');
  notes.addRow([periodTitle(r)]).font = { bold: true, size: 14 };
  for (const [k, v] of explanation(r)) notes.addRow([k, v]);
  notes.getColumn(1).width = 26;
  notes.getColumn(2).width = 100;

  return Buffer.from(await wb.xlsx.writeBuffer());
}
