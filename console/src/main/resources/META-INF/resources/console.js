// Tagstream console: one page, no framework, no CDN. Every request carries the signed-in user's token; the services
// decide what it may see and do. Text from the services is only ever set as text, never as HTML.
'use strict';

const state = { token: sessionStorage.getItem('tagstream.token') || '', me: null, page: null, stream: null, lastSeq: 0,
  feed: [], refreshTimer: null };

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.substring(2), v);
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path, options) {
  const headers = { 'Accept': 'application/json' };
  if (state.token) headers['Authorization'] = 'Bearer ' + state.token;
  const init = { method: (options && options.method) || 'GET', headers };
  if (options && options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  const r = await fetch(path, init);
  const text = await r.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
  if (!r.ok) {
    const reason = body && (body.error || body.message) ? (body.error || body.message) : text || r.statusText;
    throw new ApiError(r.status, r.status + ': ' + reason);
  }
  return body;
}

function ago(iso) {
  if (!iso) return '';
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (isNaN(s)) return iso;
  if (s < 0) return 'in ' + Math.round(-s / 60) + ' min';
  if (s < 120) return s + ' s ago';
  if (s < 7200) return Math.round(s / 60) + ' min ago';
  if (s < 172800) return Math.round(s / 3600) + ' h ago';
  return Math.round(s / 86400) + ' d ago';
}

function time(iso) {
  return iso ? el('time', { datetime: iso, title: iso }, ago(iso)) : '';
}

function short(sha) {
  return sha ? String(sha).replace(/^sha256:/, '').substring(0, 12) : '';
}

function table(caption, headers, rows, empty) {
  if (!rows.length) return el('p', { class: 'muted' }, empty || 'None.');
  return el('table', {}, el('caption', { class: 'skip' }, caption),
    el('thead', {}, el('tr', {}, headers.map(h => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows.map(r => el('tr', {}, r.map(c => el('td', {}, c))))));
}

function problem(e) {
  return el('p', { class: 'error', role: 'alert' }, e.message || String(e));
}

// ---- sign-in ------------------------------------------------------------------------------------------------------

async function signIn() {
  try {
    state.me = await api('api/v1/whoami');
  } catch (e) {
    state.me = null;
    showLogin(e.status === 401 ? (state.token ? 'That token was refused: ' + e.message : '') : e.message);
    return;
  }
  document.getElementById('login').hidden = true;
  document.getElementById('nav').hidden = false;
  document.getElementById('me').hidden = false;
  document.getElementById('me-name').textContent = state.me.localDevelopment
    ? 'access control off (local development)' : state.me.id + ' · ' + (state.me.roles.join(', ') || 'no role');
  startStream();
  route();
}

async function showLogin(message) {
  document.getElementById('login').hidden = false;
  document.getElementById('page').hidden = true;
  document.getElementById('nav').hidden = true;
  document.getElementById('me').hidden = true;
  document.getElementById('login-error').textContent = message || '';
  try {
    const o = await api('login/oidc/config');
    document.getElementById('oidc-box').hidden = !o.enabled;
  } catch (e) {
    document.getElementById('oidc-box').hidden = true;
  }
  document.getElementById('token').focus();
}

function may(role) {
  return state.me && (state.me.localDevelopment || state.me.roles.includes(role) || state.me.roles.includes('admin'));
}

// ---- live feed ----------------------------------------------------------------------------------------------------

async function startStream() {
  if (state.stream) return;
  const ctrl = new AbortController();
  state.stream = ctrl;
  try {
    state.feed = await api('api/v1/feed?limit=500');
    state.lastSeq = state.feed.length ? state.feed[state.feed.length - 1].seq : 0;
  } catch (e) { /* the page shows its own error */ }
  while (state.stream === ctrl) {
    try {
      const headers = { 'Accept': 'text/event-stream' };
      if (state.token) headers['Authorization'] = 'Bearer ' + state.token;
      const r = await fetch('api/v1/feed/stream?after=' + state.lastSeq, { headers, signal: ctrl.signal });
      if (!r.ok) throw new Error('stream answered ' + r.status);
      const reader = r.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.substring(0, cut);
          buffer = buffer.substring(cut + 2);
          const data = block.split('\n').filter(l => l.startsWith('data:')).map(l => l.substring(5).replace(/^ /, '')).join('\n');
          if (data) arrived(JSON.parse(data));
        }
      }
    } catch (e) {
      if (ctrl.signal.aborted) return;
    }
    await new Promise(res => setTimeout(res, 2000)); // reconnect, resuming after the last entry seen
  }
}

function arrived(entry) {
  if (entry.seq <= state.lastSeq) return;
  state.lastSeq = entry.seq;
  state.feed.push(entry);
  if (state.feed.length > 2000) state.feed.shift();
  document.getElementById('live').textContent = entry.kind + ': ' + entry.subject;
  clearTimeout(state.liveTimer);
  state.liveTimer = setTimeout(() => { document.getElementById('live').textContent = ''; }, 4000);
  if (state.page === 'audit') appendFeed(entry);
  else {
    clearTimeout(state.refreshTimer);
    state.refreshTimer = setTimeout(() => render(false), 300);
  }
}

// ---- pages --------------------------------------------------------------------------------------------------------

const pages = {
  registries: { title: 'Registries', render: renderRegistries },
  policies: { title: 'Policies', render: renderPolicies },
  promotions: { title: 'Promotions', render: renderPromotions },
  mirrors: { title: 'Mirrors', render: renderMirrors },
  automations: { title: 'Automations', render: renderAutomations },
  audit: { title: 'Audit', render: renderAudit },
};

function route() {
  const m = location.hash.match(/^#\/([a-z]+)(?:\?(.*))?$/);
  const page = m && pages[m[1]] ? m[1] : 'promotions';
  state.page = page;
  state.query = new URLSearchParams(m && m[2] ? m[2] : '');
  for (const a of document.querySelectorAll('nav a')) {
    if (a.dataset.page === page) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  document.title = pages[page].title + ' · Tagstream console';
  notice('', false);
  render(true);
}

let rendering = 0;
async function render(focus) {
  if (!state.me) return;
  const target = document.getElementById('page');
  target.hidden = false;
  const mine = ++rendering;
  const page = state.page;
  // a form being filled in is never replaced by a live refresh
  if (!focus && target.contains(document.activeElement) && document.activeElement.matches('input, select, textarea')) return;
  let content;
  try {
    content = await pages[page].render();
  } catch (e) {
    if (e.status === 401) { showLogin('Your session has ended: ' + e.message); return; }
    content = el('div', {}, el('h2', {}, pages[page].title), problem(e));
  }
  if (mine !== rendering) return;
  // a live refresh keeps what the user is working with: boxes marked data-keep (a dry run) and the focused control
  const focusKey = !focus && target.contains(document.activeElement) ? keyOf(document.activeElement) : null;
  if (!focus) {
    for (const kept of target.querySelectorAll('[data-keep][id]')) {
      const slot = content.querySelector('#' + CSS.escape(kept.id));
      if (slot) slot.replaceWith(kept);
    }
  }
  target.replaceChildren(content);
  if (focusKey) {
    const again = [...target.querySelectorAll('a, button, input, select')].find(e => keyOf(e) === focusKey);
    if (again) again.focus();
  }
  pendingBadge();
  if (focus) document.getElementById('main').focus();
}

function keyOf(e) {
  const card = e.closest('[data-promotion]');
  return e.tagName + '|' + (e.id || '') + '|' + (card ? card.dataset.promotion : '') + '|' + (e.getAttribute('href') || '') + '|' + e.textContent;
}

function notice(text, isError) {
  const n = document.getElementById('notice');
  n.className = isError ? 'error' : 'ok';
  n.setAttribute('role', isError ? 'alert' : 'status');
  n.textContent = text;
}

async function pendingBadge() {
  try {
    const p = await api('api/v1/promotions?state=pending&limit=500');
    document.getElementById('pending-count').textContent = p.length ? String(p.length) : '';
  } catch (e) { /* shown on the page */ }
}

async function renderRegistries() {
  const hosts = await api('api/v1/registries');
  return el('div', {}, el('h2', {}, 'Registries'),
    hosts.length ? hosts.map(h => el('div', { class: 'card' },
      el('h3', {}, h.host, h.trust ? ' ' : '', h.trust ? el('span', { class: 'tag', title: 'trust label' }, h.trust) : ''),
      el('p', { class: 'muted' }, h.repositories.length + (h.repositories.length === 1 ? ' repository' : ' repositories'), h.failing ? el('span', { class: 'error' }, ' · ' + h.failing + ' failing') : '',
        h.lastScan ? ' · last listed ' : '', time(h.lastScan),
        h.load ? ' · ' + h.load.requests + ' requests, ' + h.load.failed + ' failed, ' + h.load.retries + ' retried, '
          + h.load.rateLimitWaits + ' rate-limit waits since the poller started' : ''),
      table('Repositories of ' + h.host, ['Repository', 'Image', 'Tags', 'Newest tags', 'Last scan', 'Next scan', 'Error'],
        h.repositories.map(r => [r.id, el('code', {}, r.image), String(r.tagCount) + (r.capped ? ' (capped)' : ''),
          r.latestTags.slice(0, 5).map(t => el('span', { class: 'tag' }, t)), time(r.lastScan),
          r.suspended ? 'suspended' : time(r.nextScan), r.lastError ? el('span', { class: 'error' }, r.lastError) : '']))))
      : el('p', { class: 'muted' }, 'No ImageRepository is configured.'));
}

async function renderPolicies() {
  const policies = await api('api/v1/policies');
  return el('div', {}, el('h2', {}, 'Policies'),
    table('Policies', ['Policy', 'Image', 'Selected', 'Previous', 'Since', 'Candidates', 'Skipped', 'Error', ''],
      policies.map(p => [p.policy, el('code', {}, p.image || ''), p.latest ? el('span', { class: 'tag' }, p.latest.tag) : '',
        p.previous ? el('span', { class: 'tag' }, p.previous.tag) : '', time(p.since), String(p.candidates), String(p.skipped),
        p.lastError ? el('span', { class: 'error' }, p.lastError) : '',
        el('button', { type: 'button', onclick: () => dryRunForm(p), 'aria-label': 'Dry run a rule for ' + p.policy }, 'Dry run')]),
      'No ImagePolicy is configured.'),
    el('div', { id: 'dry-run', 'data-keep': true }));
}

function dryRunForm(p) {
  const box = document.getElementById('dry-run');
  const result = el('div', { 'aria-live': 'polite' });
  const kind = el('select', { id: 'dr-kind' }, ['semver', 'numerical', 'alphabetical'].map(k => el('option', { value: k }, k)));
  const value = el('input', { id: 'dr-value', size: 24, value: '>=0.0.0' });
  const pattern = el('input', { id: 'dr-pattern', size: 28, placeholder: '^main-(?P<ts>[0-9]+)' });
  const extract = el('input', { id: 'dr-extract', size: 10, placeholder: '$ts' });
  kind.addEventListener('change', () => { value.value = kind.value === 'semver' ? '>=0.0.0' : 'asc'; });
  const form = el('form', { class: 'inline', onsubmit: async ev => {
    ev.preventDefault();
    const policy = {};
    policy[kind.value] = kind.value === 'semver' ? { range: value.value } : { order: value.value };
    const body = { policy };
    if (pattern.value) body.filterTags = { pattern: pattern.value, extract: extract.value };
    const [ns, name] = p.policy.split('/');
    try {
      const r = await api('api/v1/policies/' + encodeURIComponent(ns) + '/' + encodeURIComponent(name) + '/evaluate', { method: 'POST', body });
      const now = p.latest ? p.latest.tag : null;
      result.replaceChildren(el('p', {}, 'This rule selects ', el('strong', {}, r.latestTag), ' from the ', String(r.candidates),
        ' candidate(s) among the tags the poller knows', now === r.latestTag ? ' — the same as now.' : now ? ' (now: ' + now + ').' : '.'),
        ...changes(r),
        r.skipped.length ? el('h4', {}, 'Skipped tags') : '',
        r.skipped.length ? table('Skipped tags', ['Tag', 'Why skipped'], r.skipped.slice(0, 50).map(s => [s.tag, s.reason])) : '');
    } catch (e) {
      result.replaceChildren(problem(e));
    }
  } },
  el('div', {}, el('label', { for: 'dr-kind' }, 'Rule'), kind),
  el('div', {}, el('label', { for: 'dr-value' }, 'Range or order'), value),
  el('div', {}, el('label', { for: 'dr-pattern' }, 'filterTags pattern'), pattern),
  el('div', {}, el('label', { for: 'dr-extract' }, 'extract'), extract),
  el('button', { type: 'submit', class: 'primary' }, 'Evaluate'));
  box.replaceChildren(el('div', { class: 'card' }, el('h3', {}, 'Dry run for ' + p.policy), el('p', { class: 'muted' },
    'Evaluates a new rule against the tags already known for its repository; nothing is changed.'), form, result));
  kind.focus();
}

function changes(r) {
  const out = [];
  if (r.changesError) out.push(el('p', { class: 'warn' }, 'What would change in git is unknown: ' + r.changesError));
  for (const p of r.changeProblems || []) out.push(el('p', { class: 'warn' }, p));
  if (r.changes) {
    out.push(el('h4', {}, 'What would change in git'));
    out.push(r.changes.length
      ? table('What would change in git', ['Automation', 'Branch', 'File', 'Marker', 'Now', 'Would be'], r.changes.map(c =>
        [c.automation, c.branch, el('code', {}, c.file), el('code', {}, c.marker), el('code', {}, c.oldValue), el('code', {}, c.newValue)]))
      : el('p', { class: 'muted' }, 'No marker would change: git already holds this selection.'));
  }
  return out;
}

async function renderPromotions() {
  const all = await api('api/v1/promotions?limit=100');
  const pending = all.filter(p => p.state === 'PENDING');
  const done = all.filter(p => p.state !== 'PENDING');
  const canApprove = may('approver');
  return el('div', {}, el('h2', {}, 'Promotions'),
    el('h3', {}, 'Pending (' + pending.length + ')'),
    pending.length ? pending.map(p => pendingCard(p, canApprove)) : el('p', { class: 'muted' }, 'Nothing waits for a decision.'),
    el('h3', {}, 'History'),
    table('Decided promotions', ['Promotion', 'Image', 'State', 'By', 'When', 'Target / reason', 'Follow'],
      done.map(p => [p.promotion, el('code', {}, p.image + ':' + p.tag), el('span', { class: p.state === 'APPROVED' ? 'ok' : 'error' }, p.state),
        p.decidedBy || '', time(p.decidedAt || p.createdAt), p.target ? el('code', {}, p.target) : (p.reason || ''),
        p.correlationId ? el('a', { href: '#/audit?correlation=' + encodeURIComponent(p.correlationId) }, 'follow') : '']),
      'No promotion has been decided yet.'));
}

function pendingCard(p, canApprove) {
  const comment = el('input', { id: 'comment-' + p.id, size: 40, placeholder: 'optional' });
  // the outcome goes to the page's notice, which outlives the card (an approved promotion leaves the pending list)
  const act = verb => async () => {
    try {
      const body = comment.value ? { comment: comment.value } : {};
      const r = await api('api/v1/promotions/' + encodeURIComponent(p.id) + '/' + verb, { method: 'POST', body });
      notice((verb === 'approve' ? 'Approved ' : 'Rejected ') + p.promotion + ' ' + p.image + ':' + p.tag + ': ' + r.state
        + (r.decidedBy ? ' by ' + r.decidedBy : ''), false);
      setTimeout(() => render(false), 300);
    } catch (e) {
      notice((verb === 'approve' ? 'Approval' : 'Rejection') + ' of ' + p.promotion + ' ' + p.image + ':' + p.tag + ' refused: ' + e.message, true);
    }
  };
  const waits = [];
  waits.push(p.approvals && p.approvals.length ? 'approved so far by ' + p.approvals.join(', ') : 'no approval yet');
  if (p.signals && p.signals.length) waits.push('signals: ' + p.signals.join(', '));
  return el('div', { class: 'card', 'data-promotion': p.id },
    el('h3', {}, p.promotion + ' ', el('code', {}, p.image + ':' + p.tag)),
    el('p', {}, 'Waits for: ' + waits.join('; '), p.deadline ? el('span', {}, ' · expires ', time(p.deadline)) : '',
      p.pushedBy ? ' · pushed by ' + p.pushedBy : ''),
    el('p', { class: 'muted' }, 'Digest ', el('code', {}, p.digest), ' · opened ', time(p.createdAt), ' · ',
      p.correlationId ? el('a', { href: '#/audit?correlation=' + encodeURIComponent(p.correlationId) }, 'follow this image') : ''),
    el('div', { class: 'inline' },
      el('label', { for: 'comment-' + p.id }, 'Comment'), comment, ' ',
      el('button', { type: 'button', class: 'primary', onclick: act('approve'), title: canApprove ? '' : 'your identity has no approver role' }, 'Approve'), ' ',
      el('button', { type: 'button', class: 'danger', onclick: act('reject') }, 'Reject')),
    canApprove ? '' : el('p', { class: 'warn' }, 'You are signed in without the approver role; a decision will be refused.'));
}

async function renderMirrors() {
  const mirrors = await api('api/v1/mirrors');
  return el('div', {}, el('h2', {}, 'Mirrors'),
    mirrors.length ? mirrors.map(m => el('div', { class: 'card' },
      el('h3', {}, m.name, ' → ', el('code', {}, m.destination || '')),
      m.ready === false ? el('p', { class: 'error' }, 'Not ready: ' + (m.reason || '')) : '',
      table('Tags of ' + m.name, ['Tag', 'Status', 'Digest', 'Detail'], (m.tags || []).map(t =>
        [t.tag || t.sourceTag || '', el('span', { class: t.status === 'failed' || t.status === 'drifted' ? 'error' : 'ok' }, t.status),
          el('code', {}, short(t.digest)), t.reason || t.message || '']), 'No tag selected yet.'),
      (m.prune || []).length ? el('p', {}, 'Next prune: ', (m.prune || []).map(x => el('span', { class: 'tag' }, x.destinationTag))) : ''))
      : el('p', { class: 'muted' }, 'No mirror is configured.'));
}

async function renderAutomations() {
  const autos = await api('api/v1/automations');
  const commits = state.feed.filter(e => e.kind === 'commit-pushed').slice(-20).reverse();
  return el('div', {}, el('h2', {}, 'Automations'),
    table('Automations', ['Automation', 'Repository', 'Branch', 'Last push', 'Commit', 'Pending', 'Pull request', 'Error'],
      autos.map(a => [a.automation, el('code', {}, a.repository || ''), a.branch || '', time(a.lastPushTime),
        el('code', {}, short(a.lastPushedCommit)), a.pendingChanges ? String(a.pendingChanges.length !== undefined ? a.pendingChanges.length : a.pendingChanges) : '0',
        a.pullRequest ? el('a', { href: a.pullRequest.url, rel: 'noopener' }, '#' + a.pullRequest.number + ' ' + a.pullRequest.state) : '',
        a.lastError ? el('span', { class: 'error' }, a.lastError) : '']), 'No ImageUpdateAutomation is configured.'),
    el('h3', {}, 'Recent commits'),
    commits.length ? el('ol', { class: 'feed' }, commits.map(feedItem)) : el('p', { class: 'muted' }, 'No commit seen since the console started reading.'));
}

function feedItem(e) {
  return el('li', { class: 'o-' + e.outcome, 'data-seq': e.seq },
    el('span', { class: 'muted' }, time(e.time)),
    el('span', {}, e.kind === 'audit' ? e.service : e.kind),
    el('span', { class: 'what mono' }, e.action),
    el('span', {}, el('span', { class: 'mono' }, e.subject), ' — ', e.text, ' ',
      e.correlationId && !(state.page === 'audit' && state.query.get('correlation') === e.correlationId)
        ? el('a', { href: '#/audit?correlation=' + encodeURIComponent(e.correlationId), title: 'follow this chain' }, '⤷ follow') : ''));
}

function matches(e) {
  const c = state.query.get('correlation');
  const q = (state.query.get('q') || '').toLowerCase();
  return (!c || e.correlationId === c) && (!q || (e.subject + ' ' + e.text + ' ' + e.action + ' ' + e.service).toLowerCase().includes(q));
}

async function renderAudit() {
  const c = state.query.get('correlation') || '';
  const q = state.query.get('q') || '';
  const params = new URLSearchParams({ limit: '500' });
  if (c) params.set('correlation', c);
  if (q) params.set('q', q);
  const entries = await api('api/v1/feed?' + params);
  const corr = el('input', { id: 'f-correlation', size: 38, value: c });
  const text = el('input', { id: 'f-text', size: 24, value: q });
  const form = el('form', { class: 'inline', role: 'search', onsubmit: ev => {
    ev.preventDefault();
    const p = new URLSearchParams();
    if (corr.value) p.set('correlation', corr.value.trim());
    if (text.value) p.set('q', text.value.trim());
    location.hash = '#/audit' + (p.toString() ? '?' + p : '');
  } },
  el('div', {}, el('label', { for: 'f-correlation' }, 'Correlation id'), corr),
  el('div', {}, el('label', { for: 'f-text' }, 'Contains'), text),
  el('button', { type: 'submit' }, 'Filter'),
  c || q ? el('a', { href: '#/audit', class: 'button' }, 'Clear') : '');
  return el('div', {}, el('h2', {}, c ? 'Following one image' : 'Audit and events, live'), form,
    el('p', { class: 'muted' }, 'Newest last; new entries appear as they happen.'),
    el('ol', { class: 'feed', id: 'feed' }, entries.map(feedItem)));
}

function appendFeed(entry) {
  const list = document.getElementById('feed');
  if (list && matches(entry)) list.append(feedItem(entry));
}

// ---- wiring -------------------------------------------------------------------------------------------------------

document.addEventListener('DOMContentLoaded', () => {
  // an identity provider's sign-in comes back with the token in the fragment; it is kept for this tab only
  const m = location.hash.match(/^#token=([^&]+)/);
  if (m) {
    state.token = decodeURIComponent(m[1]);
    sessionStorage.setItem('tagstream.token', state.token);
    history.replaceState(null, '', location.pathname + '#/promotions');
  }
  document.getElementById('token-form').addEventListener('submit', ev => {
    ev.preventDefault();
    state.token = document.getElementById('token').value.trim();
    document.getElementById('token').value = '';
    sessionStorage.setItem('tagstream.token', state.token);
    signIn();
  });
  document.getElementById('sign-out').addEventListener('click', () => {
    sessionStorage.removeItem('tagstream.token');
    state.token = '';
    if (state.stream) { state.stream.abort(); state.stream = null; }
    state.me = null;
    showLogin('Signed out.');
  });
  window.addEventListener('hashchange', route);
  signIn();
});
