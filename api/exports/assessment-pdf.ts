import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import type { AssessmentReport, UnitFigures } from '../../domain/assessment';
import { explanation, percent, periodTitle } from './assessment-columns';

/**
 * The assessment as a printable PDF (pdfkit: a well-kept, MIT-licensed PDF writer that embeds a subset of
 * a TrueType font and draws vector graphics; pdfmake sits on it and adds a layout language we do not need).
 * Chinese is set in Noto Sans SC (SIL OFL), shipped as a TrueType file by the npm package
 * `@expo-google-fonts/noto-sans-sc`; only the glyphs used are embedded. Charts are vector bars.
 * A4 landscape: title, the score and on-time-rate charts per unit, the summary table, the per-kind table of
 * the total, the 说明. Source: ours (docs/assessment.md).
 */

let font: Buffer | undefined;
/** The CJK font, read once. */
function cjkFont(): Buffer {
  font ??= readFileSync(createRequire(import.meta.url).resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf'));
  return font;
}

const MARGIN = 36;
const COLORS = { bar: '#2f6b9a', rate: '#4c9a5f', axis: '#888888', grid: '#dddddd', text: '#222222' };

const TABLE: { header: string; width: number; value(f: UnitFigures): string }[] = [
  { header: '得分', width: 40, value: (f) => (f.score === null ? '—' : f.score.toFixed(1)) },
  { header: '到期', width: 40, value: (f) => String(f.deadlines.due) },
  { header: '按时', width: 40, value: (f) => String(f.deadlines.onTime) },
  { header: '逾期办理', width: 48, value: (f) => String(f.deadlines.late) },
  { header: '逾期未办', width: 48, value: (f) => String(f.deadlines.overdueOpen) },
  { header: '逾期未办结束', width: 64, value: (f) => String(f.deadlines.overdueClosed) },
  { header: '未处置关闭', width: 56, value: (f) => String(f.unhandled) },
  { header: '按时率', width: 48, value: (f) => percent(f.deadlines.onTimeRate) },
  { header: '逾期天数', width: 48, value: (f) => f.overdue.days.toFixed(1) },
  { header: '升级', width: 36, value: (f) => String(f.escalations.total) },
  { header: '督办单', width: 40, value: (f) => String(f.orders.count) },
  { header: '督办按时率', width: 56, value: (f) => percent(f.orders.replies.onTimeRate) },
  { header: '答复按时率', width: 56, value: (f) => percent(f.reports.onTimeRate) },
  { header: '心愿实现', width: 48, value: (f) => String(f.wishes.fulfilled) },
  { header: '主动发现', width: 48, value: (f) => String(f.discoveries.due) },
];

/** Renders the report; resolves with the PDF's bytes. */
export function assessmentPdf(r: AssessmentReport): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margin: MARGIN, info: { Title: `${r.org.name} ${periodTitle(r)}`, Creator: 'jiuzhu' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', cjkFont());
  doc.font('cjk').fillColor(COLORS.text);
  const width = doc.page.width - 2 * MARGIN;
  const bottom = () => doc.page.height - MARGIN;

  doc.fontSize(18).text(`${r.org.name} ${periodTitle(r)}`, MARGIN, MARGIN);
  const notes = explanation(r);
  doc.fontSize(9).text(`${notes[2]![1]}  生成时间：${notes[3]![1]}`);
  doc.moveDown(0.5);

  const rows = [...r.units, { code: r.org.code, name: '合计', figures: r.total }];
  // Charts: the score (0–100) and the on-time rate (0–100 %) of each child unit, side by side.
  if (r.units.length > 0) {
    const top = doc.y;
    const chartH = Math.min(170, 24 + r.units.length * 16);
    barChart(doc, { x: MARGIN, y: top, w: width / 2 - 12, h: chartH, title: '得分', color: COLORS.bar, items: r.units.map((u) => ({ name: u.name, value: u.figures.score, label: u.figures.score === null ? '—' : u.figures.score.toFixed(1) })) });
    barChart(doc, { x: MARGIN + width / 2 + 12, y: top, w: width / 2 - 12, h: chartH, title: '按时办理率', color: COLORS.rate, items: r.units.map((u) => ({ name: u.name, value: u.figures.deadlines.onTimeRate === null ? null : u.figures.deadlines.onTimeRate * 100, label: percent(u.figures.deadlines.onTimeRate) })) });
    doc.x = MARGIN;
    doc.y = top + chartH + 14;
  }

  // The summary table.
  const nameW = width - TABLE.reduce((s, c) => s + c.width, 0);
  const rowH = 16;
  const headerRow = () => {
    let x = MARGIN;
    const y = doc.y;
    doc.rect(MARGIN, y, width, rowH).fill('#eef2f6').fillColor(COLORS.text);
    doc.fontSize(8).text('单位', x + 2, y + 4, { width: nameW - 4, lineBreak: false });
    x += nameW;
    for (const c of TABLE) {
      doc.text(c.header, x, y + 4, { width: c.width - 2, align: 'right', lineBreak: false });
      x += c.width;
    }
    doc.y = y + rowH;
  };
  doc.fontSize(12).text('汇总', MARGIN, doc.y);
  headerRow();
  for (const u of rows) {
    if (doc.y + rowH > bottom()) {
      doc.addPage();
      headerRow();
    }
    const y = doc.y;
    let x = MARGIN;
    doc.fontSize(8).fillColor(COLORS.text).text(u.name, x + 2, y + 4, { width: nameW - 4, height: 11, ellipsis: true });
    x += nameW;
    for (const c of TABLE) {
      doc.text(c.value(u.figures), x, y + 4, { width: c.width - 2, align: 'right', lineBreak: false });
      x += c.width;
    }
    doc.moveTo(MARGIN, y + rowH).lineTo(MARGIN + width, y + rowH).lineWidth(0.5).strokeColor(COLORS.grid).stroke();
    doc.y = y + rowH;
  }

  // The total per deadline kind.
  const kinds = Object.entries(r.total.byKind);
  if (kinds.length > 0) {
    if (doc.y + 60 > bottom()) doc.addPage();
    doc.x = MARGIN;
    doc.moveDown(1);
    doc.fontSize(12).fillColor(COLORS.text).text('明细（合计，按期限种类）', MARGIN, doc.y);
    const cols = ['到期', '按时', '逾期办理', '逾期未办', '逾期未办结束', '未处置关闭', '未到期', '按时率'];
    const colW = 60;
    const labelW = width - cols.length * colW;
    const head = () => {
      const y = doc.y;
      doc.rect(MARGIN, y, width, rowH).fill('#eef2f6').fillColor(COLORS.text);
      doc.fontSize(8).text('期限种类', MARGIN + 2, y + 4, { width: labelW - 4, lineBreak: false });
      cols.forEach((c, i) => doc.text(c, MARGIN + labelW + i * colW, y + 4, { width: colW - 2, align: 'right', lineBreak: false }));
      doc.y = y + rowH;
    };
    head();
    for (const [kind, c] of kinds) {
      if (doc.y + rowH > bottom()) {
        doc.addPage();
        head();
      }
      const y = doc.y;
      const values = [c.due, c.onTime, c.late, c.overdueOpen, c.overdueClosed, c.unhandled, c.pending].map(String).concat(percent(c.onTimeRate));
      doc.fontSize(8).fillColor(COLORS.text).text(`${r.kindLabels[kind] ?? kind}（${kind}）`, MARGIN + 2, y + 4, { width: labelW - 4, height: 11, ellipsis: true });
      values.forEach((v, i) => doc.text(v, MARGIN + labelW + i * colW, y + 4, { width: colW - 2, align: 'right', lineBreak: false }));
      doc.y = y + rowH;
    }
  }

  // 说明.
  doc.addPage();
  doc.fontSize(12).fillColor(COLORS.text).text('说明', MARGIN, MARGIN);
  doc.moveDown(0.3);
  for (const [k, v] of notes) doc.fontSize(9).text(`${k}：${v}`, MARGIN, doc.y, { width });
  doc.end();
  return done;
}

/** A horizontal bar chart, values 0–100 (null: no bar, its label `—`), drawn as vector rectangles. */
function barChart(doc: PDFKit.PDFDocument, c: { x: number; y: number; w: number; h: number; title: string; color: string; items: { name: string; value: number | null; label: string }[] }): void {
  doc.fontSize(10).fillColor(COLORS.text).text(c.title, c.x, c.y, { lineBreak: false });
  const top = c.y + 16;
  const labelW = 90;
  const valueW = 40;
  const plotW = c.w - labelW - valueW;
  const barH = Math.max(6, Math.min(12, (c.h - 20) / Math.max(1, c.items.length) - 4));
  const step = barH + 4;
  for (const t of [0, 50, 100]) {
    const gx = c.x + labelW + (plotW * t) / 100;
    doc.moveTo(gx, top).lineTo(gx, top + step * c.items.length).lineWidth(0.5).strokeColor(t === 0 ? COLORS.axis : COLORS.grid).stroke();
  }
  c.items.forEach((it, i) => {
    const y = top + i * step;
    doc.fontSize(7).fillColor(COLORS.text).text(it.name, c.x, y + (barH - 7) / 2 - 1, { width: labelW - 4, height: 9, ellipsis: true });
    if (it.value !== null) doc.rect(c.x + labelW, y, Math.max(0.5, (plotW * Math.max(0, Math.min(100, it.value))) / 100), barH).fill(c.color);
    doc.fillColor(COLORS.text).text(it.label, c.x + labelW + plotW + 4, y + (barH - 7) / 2 - 1, { width: valueW - 4, lineBreak: false });
  });
}
