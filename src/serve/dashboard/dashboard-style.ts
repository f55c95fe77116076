/** The dashboard's style sheet (served as /assets/dashboard.css). */
export const DASHBOARD_STYLE = `
:root { font-family: system-ui, sans-serif; color: #1d2733; background: #f6f7f9; }
body { margin: 0; }
header { display: flex; align-items: center; gap: 1rem; padding: 0.6rem 1.2rem; background: #1d3557; color: #fff; }
header .brand { font-weight: 700; }
nav { display: flex; gap: 1rem; flex: 1; align-items: center; }
nav a { color: #fff; text-decoration: none; }
nav a:hover { text-decoration: underline; }
nav .who { margin-left: auto; opacity: 0.8; font-size: 0.9rem; }
header form { margin: 0; }
main { padding: 1rem 1.2rem 3rem; max-width: 1100px; }
h1 { font-size: 1.5rem; margin: 0.4rem 0; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 0.5rem; }
.as-of { color: #5b6673; font-size: 0.85rem; margin: 0 0 1rem; }
.cards { display: flex; flex-wrap: wrap; gap: 0.8rem; }
.card { background: #fff; border: 1px solid #dde2e8; border-radius: 6px; padding: 0.6rem 0.9rem; min-width: 120px; }
.card .label { font-size: 0.8rem; color: #5b6673; }
.card .value { font-size: 1.35rem; font-weight: 600; }
.card .note { font-size: 0.75rem; color: #5b6673; }
table { border-collapse: collapse; background: #fff; width: 100%; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #e3e7ec; padding: 0.35rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #eef1f5; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td ul { margin: 0; padding-left: 1rem; }
.chart { width: 100%; max-width: 720px; height: auto; background: #fff; border: 1px solid #dde2e8; }
.chart .bar { fill: #457b9d; }
.chart .capacity { stroke: #e63946; stroke-width: 2; }
.chart .axis { font-size: 10px; fill: #5b6673; }
dl#facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1rem; background: #fff; padding: 0.8rem; border: 1px solid #dde2e8; }
dt { color: #5b6673; }
dd { margin: 0; }
#explanation p { font-size: 1.05rem; margin: 0.3rem 0; }
.error { color: #b00020; }
form.login { background: #fff; border: 1px solid #dde2e8; padding: 1.2rem; max-width: 420px; display: grid; gap: 0.6rem; }
input, button { font: inherit; padding: 0.35rem 0.5rem; }
button { cursor: pointer; }
form.action { background: #fff; border: 1px solid #dde2e8; border-radius: 6px; padding: 0.6rem 0.8rem; margin: 0.5rem 0; display: flex; flex-wrap: wrap; gap: 0.4rem 0.6rem; align-items: center; }
form.action strong { min-width: 12rem; }
form.action .answer { flex-basis: 100%; }
form.action .answer:empty { display: none; }
ul.result { margin: 0.3rem 0; }
ul.result .warning { color: #8a5300; }
.done { background: #e8f5e9; border: 1px solid #a5d6a7; border-radius: 6px; padding: 0.4rem 0.8rem; }
#servers form.action { border: 0; margin: 0; padding: 0; }
`;
