/** A notice's three parts after its template met its variables. */
export interface RenderedNotice {
  subject: string;
  text: string;
  html: string;
}
