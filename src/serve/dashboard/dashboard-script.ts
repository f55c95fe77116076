import { browserKit } from './browser-kit.js';
import { browserMain } from './browser-main.js';
import { browserViews } from './browser-views.js';

/**
 * The dashboard's JavaScript: three self-contained functions, type-checked and linted with the rest
 * of the code, sent as their own source text and wired together on the page. No build step, no
 * framework, nothing loaded from elsewhere (the CSP allows scripts from this server only).
 */
export const DASHBOARD_SCRIPT = `'use strict';
(() => {
  const kit = (${browserKit.toString()})();
  const views = (${browserViews.toString()})(kit);
  (${browserMain.toString()})(kit, views);
})();
`;
