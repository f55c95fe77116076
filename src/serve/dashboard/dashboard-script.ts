import { browserActions } from './browser-actions.js';
import { browserKit } from './browser-kit.js';
import { browserMailbox } from './browser-mailbox.js';
import { browserMain } from './browser-main.js';
import { browserViews } from './browser-views.js';
import { passTable } from '../../report/pass-table.js';

/**
 * The dashboard's JavaScript: five self-contained functions (and the report layer's shared drawings), type-checked and linted with the rest
 * of the code, sent as their own source text and wired together on the page. No build step, no
 * framework, nothing loaded from elsewhere (the CSP allows scripts from this server only).
 */
export const DASHBOARD_SCRIPT = `'use strict';
(() => {
  const kit = (${browserKit.toString()})();
  const shared = { passTable: (${passTable.toString()}) };
  const actions = (${browserActions.toString()})(kit);
  const views = {
    ...(${browserViews.toString()})(kit, shared, actions),
    ...(${browserMailbox.toString()})(kit, shared, actions),
  };
  (${browserMain.toString()})(kit, views);
})();
`;
