/** Text for HTML: the five characters that matter escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · tranche</title>
<link rel="stylesheet" href="/assets/dashboard.css">
</head>
<body>
${body}
</body>
</html>
`;
}

/** Every dashboard page: the frame; the script draws the navigation and the content from the API. */
export function shellPage(): string {
  return page(
    'Dashboard',
    `<header><span class="brand">tranche</span><nav id="nav"></nav>
<form method="post" action="/logout"><button type="submit">Log out</button></form></header>
<main id="app"></main>
<script src="/assets/dashboard.js"></script>`,
  );
}

/** The login form; NEXT (already checked to be a local path) is where to go after it. */
export function loginPage(next: string, problem?: string): string {
  return page(
    'Log in',
    `<header><span class="brand">tranche</span></header>
<main>
<h1>Log in</h1>
${problem ? `<p class="error" id="problem">${escapeHtml(problem)}</p>` : ''}
<form class="login" method="post" action="/login">
<label for="token">Access token</label>
<input id="token" name="token" type="password" autocomplete="off" required>
<input type="hidden" name="next" value="${escapeHtml(next)}">
<button type="submit">Log in</button>
</form>
</main>`,
  );
}

/** A refusal as a page: 403 (this token may not see it) or 404. */
export function refusalPage(status: number, message: string): string {
  return page(
    status === 403 ? 'Forbidden' : 'Not found',
    `<header><span class="brand">tranche</span><nav><a href="/">Dashboard</a></nav></header>
<main><h1>${status === 403 ? 'Forbidden' : 'Not found'}</h1><p class="error">${escapeHtml(message)}</p></main>`,
  );
}
