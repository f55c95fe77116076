/** One kind's template source: Mustache text for each of a notice's three parts. */
export interface NoticeTemplate {
  subject: string;
  text: string;
  html: string;
}

/** A notice's parts, each with the file extension an override file of it has. */
export const TEMPLATE_PARTS = [
  ['subject', 'subject'],
  ['text', 'txt'],
  ['html', 'html'],
] as const satisfies readonly (readonly [keyof NoticeTemplate, string])[];

/** One of the three parts. */
export type TemplatePart = (typeof TEMPLATE_PARTS)[number][0];
