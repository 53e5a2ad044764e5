// The live view of ftpgate's admin listener: plain JavaScript, no library, everything from this jar.
// Data from the FTP side (user names, paths, refused input) is attacker-controlled: it is only ever put into
// the page as text (textContent), never as HTML.
'use strict';

const CSRF = { 'X-Ftpgate-Csrf': '1' };
const EVENT_TYPES = ['opened', 'closed', 'login', 'refused', 'tls-established', 'fxp-allowed', 'upstream-connected',
  'transfer-started', 'transfer-flowing', 'transfer-finished', 'pinhole-armed', 'pinhole-consumed',
  'pinhole-expired'];
const MAX_EVENT_LINES = 50;

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
}

function age(seconds) {
  const h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
  return (h ? h + 'h ' : '') + (h || m ? m + 'm ' : '') + s + 's';
}

function fill(tbody, rows, columns, emptyText) {
  tbody.replaceChildren();
  if (rows.length === 0) {
    const tr = el('tr');
    const td = el('td', emptyText, 'empty');
    td.colSpan = columns;
    tr.append(td);
    tbody.append(tr);
  }
  for (const r of rows) tbody.append(r);
}

async function endSession(id, button) {
  if (!window.confirm('End session ' + id + '? The client is told 421 and disconnected.')) return;
  button.disabled = true;
  const res = await fetch('/api/sessions/' + encodeURIComponent(id) + '/end',
    { method: 'POST', headers: CSRF, credentials: 'same-origin' });
  button.textContent = res.ok ? 'ending…' : 'gone';
  refresh();
}

// Session rows are kept by id and updated in place, so a row (and its End button) stays the same element
// while the session lives: a click is never lost to a redraw.
const sessionRows = new Map();
const SESSION_CELLS = 11;

function sessionRow(s) {
  let tr = sessionRows.get(s.id);
  if (!tr) {
    tr = el('tr');
    tr.dataset.session = s.id;
    for (let i = 0; i < SESSION_CELLS; i++) tr.append(el('td', '', i >= 7 ? 'num' : null));
    const b = el('button', 'End', 'end');
    b.type = 'button';
    b.title = 'End this session';
    b.addEventListener('click', () => endSession(s.id, b));
    const td = el('td');
    td.append(b);
    tr.append(td);
    sessionRows.set(s.id, tr);
  }
  const tls = [s.tlsClient ? 'client ' + s.tlsClient : null, s.tlsServer ? 'server ' + s.tlsServer : null]
    .filter(Boolean).join(', ');
  const values = [s.id, s.listener, s.client, s.user ?? '—', s.destination ?? '—', tls || '—', s.state,
    s.transfers, bytes(s.bytesFromClient), bytes(s.bytesFromServer), age(s.ageSeconds)];
  values.forEach((v, i) => {
    const text = String(v);
    if (tr.children[i].textContent !== text) tr.children[i].textContent = text;
  });
  return tr;
}

function renderSessions(sessions) {
  const live = new Set(sessions.map(s => s.id));
  for (const [id, tr] of sessionRows) {
    if (!live.has(id)) { tr.remove(); sessionRows.delete(id); }
  }
  const tbody = document.querySelector('#sessions tbody');
  const placeholder = tbody.querySelector('td.empty');
  if (sessions.length === 0) {
    if (!placeholder) fill(tbody, [], 12, 'no sessions');
    return;
  }
  if (placeholder) placeholder.parentElement.remove();
  sessions.forEach((s, i) => {
    const tr = sessionRow(s);
    if (tbody.children[i] !== tr) tbody.insertBefore(tr, tbody.children[i] ?? null);
  });
}

function render(snap) {
  const t = snap.totals;
  document.getElementById('now-sessions').textContent = snap.sessions.length;
  document.getElementById('now-pinholes').textContent = snap.pinholes.length;
  document.getElementById('total-sessions').textContent = t.sessions;
  document.getElementById('total-transfers').textContent = t.transfers;
  document.getElementById('total-bytes').textContent = bytes(t.bytes);
  document.getElementById('total-bytes').dataset.bytes = t.bytes;
  document.getElementById('total-refusals').textContent = t.refusals;
  renderSessions(snap.sessions);
  fill(document.querySelector('#pinholes tbody'), snap.pinholes.map(p => {
    const tr = el('tr');
    tr.append(el('td', p.session), el('td', p.side), el('td', p.port, 'num'),
      el('td', p.side === 'client' ? p.client : 'server'), el('td', age(Math.round((snap.at - p.armedAt) / 1000)), 'num'));
    return tr;
  }), 5, 'none open');
  fill(document.querySelector('#refusals tbody'), snap.refusals.map(r => {
    const tr = el('tr');
    tr.append(el('td', new Date(r.at).toLocaleTimeString()), el('td', r.client), el('td', r.reason, 'reason'),
      el('td', r.input ?? ''), el('td', r.reply ?? ''));
    return tr;
  }), 5, 'none yet');
}

function chart(svgId, values, labelId, format) {
  const svg = document.getElementById(svgId);
  const W = 600, H = 120, top = 8;
  const max = Math.max(1, ...values);
  const step = W / (values.length - 1);
  const points = values.map((v, i) => (i * step).toFixed(1) + ',' + (H - (v / max) * (H - top)).toFixed(1));
  const ns = 'http://www.w3.org/2000/svg';
  svg.replaceChildren();
  for (const f of [0.25, 0.5, 0.75]) {
    const g = document.createElementNS(ns, 'line');
    g.setAttribute('x1', 0); g.setAttribute('x2', W);
    g.setAttribute('y1', H - f * (H - top)); g.setAttribute('y2', H - f * (H - top));
    g.setAttribute('stroke', '#e3e8ee'); g.setAttribute('stroke-width', 1);
    svg.append(g);
  }
  const area = document.createElementNS(ns, 'polygon');
  area.setAttribute('points', '0,' + H + ' ' + points.join(' ') + ' ' + W + ',' + H);
  area.setAttribute('fill', '#0b6bcb22');
  const line = document.createElementNS(ns, 'polyline');
  line.setAttribute('points', points.join(' '));
  line.setAttribute('fill', 'none'); line.setAttribute('stroke', '#0b6bcb'); line.setAttribute('stroke-width', 1.5);
  line.setAttribute('vector-effect', 'non-scaling-stroke');
  svg.append(area, line);
  const lastTen = values.slice(-10).reduce((a, b) => a + b, 0) / 10;
  document.getElementById(labelId).textContent = 'now ' + format(lastTen) + ', peak ' + format(Math.max(...values));
}

async function refresh() {
  try {
    const res = await fetch('/api/sessions', { credentials: 'same-origin' });
    if (res.ok) render(await res.json());
  } catch (e) { /* the next tick tries again */ }
}

async function refreshRates() {
  try {
    const res = await fetch('/api/rates', { credentials: 'same-origin' });
    if (!res.ok) return;
    const r = await res.json();
    chart('chart-transfers', r.transfers, 'rate-transfers', v => v.toFixed(1) + '/s');
    chart('chart-bytes', r.bytes, 'rate-bytes', v => bytes(Math.round(v)) + '/s');
  } catch (e) { /* the next tick tries again */ }
}

function describe(type, e) {
  const who = (e.origin ? '#' + e.origin.session + ' ' + e.origin.client : '');
  switch (type) {
    case 'refused': return who + ' refused ' + e.reason + (e.input ? ': ' + e.input : '');
    case 'login': return who + ' login ' + (e.user ?? '') + ' ' + e.outcome;
    case 'transfer-finished': return who + ' ' + e.command + ' ' + e.outcome + ', ' + bytes(e.clientToServerBytes + e.serverToClientBytes);
    case 'closed': return who + ' closed: ' + e.reason;
    case 'opened': return who + ' opened on ' + e.listener;
    default: return who + ' ' + type;
  }
}

let pending = null;
function soon() {
  if (pending === null) pending = setTimeout(() => { pending = null; refresh(); }, 200);
}

function stream() {
  const state = document.getElementById('stream-state');
  const es = new EventSource('/api/events');
  es.onopen = () => { state.textContent = 'live'; state.className = 'state live'; };
  es.onerror = () => { state.textContent = 'reconnecting…'; state.className = 'state'; };
  const list = document.getElementById('events');
  for (const type of EVENT_TYPES) {
    es.addEventListener(type, msg => {
      const e = JSON.parse(msg.data);
      const li = el('li', new Date().toLocaleTimeString() + '  ' + describe(type, e), type);
      list.prepend(li);
      while (list.children.length > MAX_EVENT_LINES) list.lastChild.remove();
      soon();
    });
  }
}

refresh();
refreshRates();
setInterval(refresh, 1000);
setInterval(refreshRates, 2000);
stream();
