/* Rosetta console: small pages over the admin API (/admin/v1) and the console's own /ui/api. No build step. */
(function () {
  'use strict';

  // ------------------------------------------------------------------ sign-in page
  if (document.body.classList.contains('login-page')) {
    if (location.search.indexOf('failed') >= 0) document.getElementById('failed').hidden = false;
    return;
  }

  const meta = document.querySelector('meta[name="rosetta-csrf"]');
  const CSRF = meta ? meta.content : '';
  const view = document.getElementById('view');
  let cleanup = [];

  // ------------------------------------------------------------------ helpers
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'html') el.innerHTML = v;
      else el.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  async function api(method, path, body) {
    const opts = { method, headers: { 'x-rosetta-csrf': CSRF }, credentials: 'same-origin' };
    if (body !== undefined) {
      opts.headers['content-type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    const r = await fetch(path, opts);
    if (r.status === 401 && path.startsWith('/ui/api/')) { location.href = '/ui/login'; throw new Error('signed out'); }
    const type = r.headers.get('content-type') || '';
    const data = r.status === 204 ? null : type.includes('json') ? await r.json() : await r.text();
    if (!r.ok) {
      const msg = data && data.error ? data.error.message : (typeof data === 'string' ? data : r.statusText);
      const err = new Error(msg || ('HTTP ' + r.status));
      err.status = r.status;
      throw err;
    }
    return data;
  }

  function toast(msg, bad) {
    const t = document.getElementById('toast');
    t.textContent = msg;
    t.className = 'toast' + (bad ? ' bad' : '');
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { t.hidden = true; }, 4000);
  }

  const fmt = {
    int: n => (n === null || n === undefined) ? '–' : Number(n).toLocaleString('en-US'),
    short: n => {
      if (n === null || n === undefined) return '–';
      if (n >= 1e9) return (n / 1e9).toFixed(1) + 'B';
      if (n >= 1e6) return (n / 1e6).toFixed(1) + 'M';
      if (n >= 1e4) return (n / 1e3).toFixed(1) + 'k';
      return Number(n).toLocaleString('en-US');
    },
    ms: n => (n === null || n === undefined) ? '–' : n >= 1000 ? (n / 1000).toFixed(2) + ' s' : Math.round(n) + ' ms',
    usd: n => (n === null || n === undefined) ? '–' : '$' + Number(n).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: n < 1 ? 4 : 2 }),
    pct: n => (n === null || n === undefined || isNaN(n)) ? '–' : (n * 100).toFixed(n < 0.1 ? 1 : 0) + '%',
    time: s => new Date(s).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }),
    date: s => s ? new Date(s).toLocaleDateString([], { year: 'numeric', month: 'short', day: 'numeric' }) : '–',
  };

  function statusBadge(s) {
    const cls = s >= 500 || s === 0 ? 'bad' : s >= 400 ? 'warn' : 'ok';
    return h('span', { class: 'badge ' + cls }, s === 0 ? '—' : s);
  }

  function isoDay(d) { return d.toISOString().slice(0, 10); }
  function daysAgo(n) { const d = new Date(); d.setUTCDate(d.getUTCDate() - n); return d; }

  function page(title, subtitle, ...actions) {
    view.replaceChildren();
    view.append(h('div', { class: 'head' },
      h('div', {}, h('h1', {}, title), subtitle ? h('div', { class: 'muted' }, subtitle) : null),
      h('div', { class: 'actions' }, actions)));
  }

  function card(title, hint, ...body) {
    return h('section', { class: 'card' }, h('h2', {}, title, hint ? h('span', { class: 'hint' }, hint) : null), body);
  }

  // ------------------------------------------------------------------ charts (uPlot)
  const PALETTE = ['#4f46e5', '#0ea5e9', '#10b981', '#f59e0b', '#ef4444', '#8b5cf6', '#14b8a6', '#64748b'];

  function chart(container, xs, series, opts) {
    opts = opts || {};
    const el = h('div', { class: 'chart' });
    container.append(el);
    const make = () => {
      el.replaceChildren();
      const width = Math.max(260, el.clientWidth || container.clientWidth - 36);
      const plot = new uPlot({
        width, height: opts.height || 200,
        cursor: { points: { size: 6 } },
        legend: { show: series.length > 1 },
        scales: { x: { time: opts.time !== false } },
        axes: [
          { stroke: '#64748b', grid: { stroke: '#eef2f7' }, ticks: { stroke: '#eef2f7' }, values: opts.xValues },
          { stroke: '#64748b', grid: { stroke: '#eef2f7' }, ticks: { stroke: '#eef2f7' }, size: 66,
            values: (u, vals) => vals.map(v => opts.y ? opts.y(v) : fmt.short(v)) },
        ],
        series: [{}].concat(series.map((s, i) => ({
          label: s.label, stroke: s.color || PALETTE[i % PALETTE.length], width: 2,
          fill: series.length === 1 || s.fill ? (s.color || PALETTE[i % PALETTE.length]) + '1f' : undefined,
          points: { show: s.data.filter(v => v !== null && v !== undefined && v !== 0).length < 12, size: 6 }, spanGaps: true,
          paths: opts.bars ? uPlot.paths.bars({ size: [0.6, 40] }) : undefined,
          value: (u, v) => v === null || v === undefined ? '–' : (opts.y ? opts.y(v) : fmt.short(v)),
        }))),
      }, [xs].concat(series.map(s => s.data)), el);
      return plot;
    };
    let plot = make();
    const ro = new ResizeObserver(() => { if (plot && Math.abs(plot.width - el.clientWidth) > 8) { plot.destroy(); plot = make(); } });
    ro.observe(el);
    cleanup.push(() => { ro.disconnect(); plot.destroy(); });
  }

  function hbars(rows, value, label) {
    const max = Math.max(1, ...rows.map(value));
    if (!rows.length) return h('div', { class: 'empty' }, 'No traffic in the last hour');
    return h('div', { class: 'hbars' }, rows.sort((a, b) => value(b) - value(a)).map(r =>
      h('div', { class: 'hbar' }, h('span', { class: 'name', title: r.name }, r.name),
        h('div', { class: 'bar' }, h('span', { style: 'width:' + (100 * value(r) / max).toFixed(1) + '%' })),
        h('span', { class: 'num' }, label(r)))));
  }

  // ------------------------------------------------------------------ Overview
  async function overview() {
    page('Overview', 'The last hour, minute by minute, and spend over the last two weeks');
    const [stats, spend] = await Promise.all([
      api('GET', '/ui/api/stats'),
      api('GET', '/admin/v1/usage?group_by=day&from=' + isoDay(daysAgo(13))).catch(() => null),
    ]);
    const hr = stats.hour;
    const today = spend && spend.data ? spend.data.find(r => r.day === isoDay(new Date())) : null;
    const kpis = h('div', { class: 'grid kpis' },
      kpi('Requests', fmt.int(hr.requests), 'last hour'),
      kpi('Error rate', hr.requests ? fmt.pct(hr.errors / hr.requests) : '–', fmt.int(hr.errors) + ' errors'),
      kpi('Tokens', fmt.short(hr.tokens_in + hr.tokens_out), fmt.short(hr.tokens_in) + ' in · ' + fmt.short(hr.tokens_out) + ' out'),
      kpi('Latency p50 / p99', fmt.ms(hr.latency_p50_ms), 'p99 ' + fmt.ms(hr.latency_p99_ms)),
      kpi('Time to first token', fmt.ms(hr.ttfb_p50_ms), 'p50, streams'),
      kpi('Spend today', today ? fmt.usd(today.cost_usd) : fmt.usd(0), 'from the ledger'));
    view.append(kpis);
    const grid = h('div', { class: 'grid charts' });
    view.append(grid);
    const xs = stats.minutes;
    const models = Object.keys(stats.requests_by_model);
    let c = card('Requests per minute', 'by model');
    grid.append(c);
    chart(c, xs, models.length ? models.map(m => ({ label: m, data: stats.requests_by_model[m] }))
      : [{ label: 'requests', data: stats.requests }]);
    c = card('Error rate', '% of requests');
    grid.append(c);
    chart(c, xs, [{ label: 'errors', color: '#ef4444', data: stats.requests.map((n, i) => n ? stats.errors[i] / n : null) }], { y: fmt.pct });
    c = card('Latency', 'p50 and p99');
    grid.append(c);
    chart(c, xs, [{ label: 'p50', data: stats.latency_p50_ms }, { label: 'p99', color: '#f59e0b', data: stats.latency_p99_ms }], { y: fmt.ms });
    c = card('Time to first token', 'p50, streamed requests');
    grid.append(c);
    chart(c, xs, [{ label: 'TTFT p50', color: '#10b981', data: stats.ttfb_p50_ms }], { y: fmt.ms });
    c = card('Tokens per minute', 'input and output');
    grid.append(c);
    chart(c, xs, [{ label: 'input', data: stats.tokens_in, fill: true }, { label: 'output', color: '#0ea5e9', data: stats.tokens_out, fill: true }]);
    c = card('Spend per day', 'USD, from the ledger');
    grid.append(c);
    if (spend && spend.data) {
      const days = [];
      for (let i = 13; i >= 0; i--) days.push(isoDay(daysAgo(i)));
      const byDay = Object.fromEntries(spend.data.map(r => [r.day, r.cost_usd]));
      chart(c, days.map(d => Date.parse(d + 'T00:00:00Z') / 1000), [{ label: 'USD', color: '#8b5cf6', data: days.map(d => byDay[d] || 0) }],
        { y: v => '$' + (v >= 100 ? v.toFixed(0) : v.toFixed(2)), bars: true });
    } else {
      c.append(h('div', { class: 'empty' }, 'The ledger is off or unavailable'));
    }
    const dims = h('div', { class: 'grid charts' });
    dims.style.marginTop = '16px';
    view.append(dims);
    for (const [dim, title] of [['model', 'By model'], ['provider', 'By provider'], ['tenant', 'By tenant']]) {
      const rows = stats.by[dim] || [];
      dims.append(card(title, 'requests, last hour · p50 latency',
        hbars(rows, r => r.requests, r => fmt.int(r.requests) + ' · ' + fmt.ms(r.latency_p50_ms))));
    }
  }

  function kpi(label, value, sub) {
    return h('div', { class: 'card kpi' }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value), h('div', { class: 'sub' }, sub));
  }

  // ------------------------------------------------------------------ Tenants & keys
  function limitsOf(form) {
    const l = {};
    for (const k of ['rpm', 'tpm', 'tpd', 'concurrent']) {
      const v = form.elements[k] && form.elements[k].value.trim();
      if (v) l[k] = Number(v);
    }
    return l;
  }

  function modelsOf(text) {
    const list = text.split(',').map(s => s.trim()).filter(Boolean);
    return list.length ? list : undefined;
  }

  function budgetOf(t) {
    if (t.budget && typeof t.budget === 'object') return t.budget.usd ?? t.budget.monthly_usd ?? t.budget.amount_usd ?? null;
    if (t.limits && t.limits.budget_usd) return t.limits.budget_usd;
    return t.budget_usd ?? null;
  }

  async function tenants() {
    page('Tenants & keys', 'Who may call the gateway, with which models and limits');
    const secretBox = h('div', { id: 'secret-box' });
    view.append(secretBox);
    const [ts, ks, spend] = await Promise.all([
      api('GET', '/admin/v1/tenants'), api('GET', '/admin/v1/keys'),
      api('GET', '/admin/v1/usage?group_by=tenant&from=' + isoDay(new Date()).slice(0, 8) + '01').catch(() => null),
    ]);
    const spent = Object.fromEntries((spend && spend.data ? spend.data : []).map(r => [r.tenant, r.cost_usd]));
    const maxSpend = Math.max(0.01, ...Object.values(spent));

    const tForm = h('form', { class: 'inline', id: 'tenant-form' },
      h('div', { class: 'field' }, h('label', { for: 't-name' }, 'Name'), h('input', { id: 't-name', name: 'name', required: true, placeholder: 'team-search', pattern: '[A-Za-z0-9][A-Za-z0-9._-]{0,63}' })),
      h('div', { class: 'field grow' }, h('label', { for: 't-models' }, 'Models'), h('input', { id: 't-models', name: 'models', placeholder: 'all, or gpt-4o, claude-*' })),
      h('div', { class: 'field' }, h('label', {}, 'Requests / min'), h('input', { name: 'rpm', type: 'number', min: 1, placeholder: '–' })),
      h('div', { class: 'field' }, h('label', {}, 'Tokens / min'), h('input', { name: 'tpm', type: 'number', min: 1, placeholder: '–' })),
      h('button', { class: 'primary', type: 'submit' }, 'Create tenant'));
    tForm.addEventListener('submit', async e => {
      e.preventDefault();
      const body = { name: tForm.elements.name.value.trim() };
      const m = modelsOf(tForm.elements.models.value);
      if (m) body.models = m;
      const l = limitsOf(tForm);
      if (Object.keys(l).length) body.limits = l;
      try { await api('POST', '/admin/v1/tenants', body); toast('Tenant ' + body.name + ' created'); tenants(); } catch (err) { toast(err.message, true); }
    });

    const tRows = ts.data.map(t => {
      const s = spent[t.name] || 0;
      const budget = budgetOf(t);
      const share = budget ? s / budget : s / maxSpend;
      const limits = t.limits ? Object.entries(t.limits).map(([k, v]) => k + ' ' + fmt.short(v)).join(' · ') : '–';
      return h('tr', { 'data-tenant': t.name },
        h('td', {}, h('strong', {}, t.name), t.source === 'config' ? h('span', { class: 'badge', style: 'margin-left:6px' }, 'config') : null),
        h('td', {}, t.disabled ? h('span', { class: 'badge bad' }, 'disabled') : h('span', { class: 'badge ok' }, 'active')),
        h('td', { class: 'mono' }, t.models ? t.models.join(', ') : 'all'),
        h('td', {}, limits),
        h('td', {}, h('div', { style: 'display:flex;gap:10px;align-items:center' },
          h('div', { class: 'bar' + (budget && share >= 1 ? ' bad' : budget && share > 0.8 ? ' warn' : ''), title: budget ? 'spend against budget' : 'spend this month' },
            h('span', { style: 'width:' + Math.min(100, share * 100).toFixed(1) + '%' })),
          h('span', { class: 'muted' }, fmt.usd(s) + (budget ? ' / ' + fmt.usd(budget) : '')))),
        h('td', {}, t.source === 'config' ? h('span', { class: 'muted' }, 'edit in the config file') : h('div', { class: 'actions' },
          h('button', { class: 'small', onclick: () => editTenant(t) }, 'Limits'),
          h('button', { class: 'small', onclick: async () => {
            try { await api('PATCH', '/admin/v1/tenants/' + encodeURIComponent(t.name), { disabled: !t.disabled }); tenants(); } catch (err) { toast(err.message, true); }
          } }, t.disabled ? 'Enable' : 'Disable'))));
    });
    view.append(card('Tenants', ts.data.length + ' in all · spend this month', tForm, h('div', { class: 'table-wrap', style: 'margin-top:14px' },
      h('table', { id: 'tenants-table' }, h('thead', {}, h('tr', {}, ['Tenant', 'State', 'Models', 'Limits', 'Spend', ''].map(x => h('th', {}, x)))),
        h('tbody', {}, tRows)))));

    const kForm = h('form', { class: 'inline', id: 'key-form' },
      h('div', { class: 'field' }, h('label', { for: 'k-tenant' }, 'Tenant'), h('select', { id: 'k-tenant', name: 'tenant', required: true },
        ts.data.filter(t => !t.disabled).map(t => h('option', { value: t.name }, t.name)))),
      h('div', { class: 'field' }, h('label', { for: 'k-name' }, 'Key name'), h('input', { id: 'k-name', name: 'name', required: true, placeholder: 'ci-runner' })),
      h('div', { class: 'field grow' }, h('label', { for: 'k-models' }, 'Narrow to models'), h('input', { id: 'k-models', name: 'models', placeholder: "the tenant's models" })),
      h('div', { class: 'field' }, h('label', {}, 'Requests / min'), h('input', { name: 'rpm', type: 'number', min: 1, placeholder: '–' })),
      h('button', { class: 'primary', type: 'submit' }, 'Create key'));
    kForm.addEventListener('submit', async e => {
      e.preventDefault();
      const body = { tenant: kForm.elements.tenant.value, name: kForm.elements.name.value.trim() };
      const m = modelsOf(kForm.elements.models.value);
      if (m) body.models = m;
      const l = limitsOf(kForm);
      if (Object.keys(l).length) body.limits = l;
      try { const k = await api('POST', '/admin/v1/keys', body); await tenants(); showSecret(k, 'created'); } catch (err) { toast(err.message, true); }
    });
    const kRows = ks.data.map(k => h('tr', { 'data-key': k.id },
      h('td', {}, h('strong', {}, k.name)),
      h('td', {}, k.tenant),
      h('td', { class: 'mono' }, k.prefix + '…'),
      h('td', { class: 'mono' }, k.models ? k.models.join(', ') : 'tenant\'s'),
      h('td', {}, k.disabled ? h('span', { class: 'badge bad' }, 'disabled') : k.expires_at && Date.parse(k.expires_at) < Date.now() ? h('span', { class: 'badge warn' }, 'expired') : h('span', { class: 'badge ok' }, 'active')),
      h('td', {}, k.last_used_at ? fmt.date(k.last_used_at) : h('span', { class: 'muted' }, 'never')),
      h('td', {}, k.source === 'config' ? h('span', { class: 'muted' }, 'config') : h('div', { class: 'actions' },
        h('button', { class: 'small', onclick: async () => {
          try { await api('PATCH', '/admin/v1/keys/' + k.id, { disabled: !k.disabled }); tenants(); } catch (err) { toast(err.message, true); }
        } }, k.disabled ? 'Enable' : 'Disable'),
        h('button', { class: 'small', onclick: async () => {
          if (!confirm('Rotate ' + k.name + '? The old secret stops working now.')) return;
          try { const r = await api('POST', '/admin/v1/keys/' + k.id + '/rotate', {}); await tenants(); showSecret(r, 'rotated'); } catch (err) { toast(err.message, true); }
        } }, 'Rotate'),
        h('button', { class: 'small danger', 'data-action': 'revoke', onclick: async () => {
          if (!confirm('Revoke ' + k.name + '? Requests with it are refused from now on.')) return;
          try { await api('DELETE', '/admin/v1/keys/' + k.id); toast('Key ' + k.name + ' revoked'); tenants(); } catch (err) { toast(err.message, true); }
        } }, 'Revoke')))));
    view.append(h('div', { style: 'height:16px' }), card('Keys', ks.data.length + ' in all', kForm, h('div', { class: 'table-wrap', style: 'margin-top:14px' },
      h('table', { id: 'keys-table' }, h('thead', {}, h('tr', {}, ['Key', 'Tenant', 'Prefix', 'Models', 'State', 'Last used', ''].map(x => h('th', {}, x)))),
        h('tbody', {}, kRows.length ? kRows : h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'No keys yet')))))));
  }

  function showSecret(k, what) {
    const box = document.getElementById('secret-box');
    const code = h('code', { id: 'new-secret' }, k.key);
    box.replaceChildren(h('div', { class: 'secret' },
      h('strong', {}, 'Key ' + k.name + ' ' + what + '. '), 'Copy its secret now: it is shown only this once.',
      h('div', { class: 'row' }, code,
        h('button', { class: 'primary small', id: 'copy-secret', onclick: async () => {
          try { await navigator.clipboard.writeText(k.key); toast('Copied'); } catch (e) {
            const r = document.createRange(); r.selectNodeContents(code); getSelection().removeAllRanges(); getSelection().addRange(r); toast('Selected: press Ctrl+C');
          }
        } }, 'Copy'),
        h('button', { class: 'small', onclick: () => box.replaceChildren() }, 'Done'))));
    box.scrollIntoView({ behavior: 'smooth' });
  }

  function editTenant(t) {
    const l = t.limits || {};
    const v = prompt('Limits for ' + t.name + ' as rpm,tpm,tpd,concurrent (empty for none)',
      [l.rpm || '', l.tpm || '', l.tpd || '', l.concurrent || ''].join(','));
    if (v === null) return;
    const parts = v.split(',').map(s => s.trim());
    const limits = {};
    ['rpm', 'tpm', 'tpd', 'concurrent'].forEach((k, i) => { if (parts[i]) limits[k] = Number(parts[i]); });
    api('PATCH', '/admin/v1/tenants/' + encodeURIComponent(t.name), { limits: Object.keys(limits).length ? limits : null })
      .then(() => { toast('Limits saved'); tenants(); }).catch(err => toast(err.message, true));
  }

  // ------------------------------------------------------------------ Usage
  async function usage() {
    page('Usage', 'The ledger: every request, its tokens and cost');
    const form = h('form', { class: 'inline', id: 'usage-form' },
      h('div', { class: 'field' }, h('label', {}, 'From'), h('input', { name: 'from', type: 'date', value: isoDay(daysAgo(6)) })),
      h('div', { class: 'field' }, h('label', {}, 'To'), h('input', { name: 'to', type: 'date', value: isoDay(daysAgo(-1)) })),
      h('div', { class: 'field' }, h('label', {}, 'Tenant'), h('input', { name: 'tenant', placeholder: 'any' })),
      h('div', { class: 'field' }, h('label', {}, 'Model'), h('input', { name: 'model', placeholder: 'any' })),
      h('div', { class: 'field' }, h('label', {}, 'Group by'), h('div', { class: 'actions', style: 'padding:7px 0' },
        ['day', 'tenant', 'key', 'model', 'provider'].map(d => h('label', { class: 'check' },
          h('input', { type: 'checkbox', name: 'group', value: d, checked: d === 'day' || d === 'model' }), d)))),
      h('button', { class: 'primary', type: 'submit' }, 'Apply'),
      h('button', { type: 'button', id: 'csv', onclick: () => exportCsv() }, 'Export CSV'));
    const out = h('div', { id: 'usage-out' });
    const reqs = h('div', { id: 'usage-requests' });
    view.append(card('Filter', null, form), h('div', { style: 'height:16px' }), card('Totals', null, out), h('div', { style: 'height:16px' }), card('Requests', 'newest first', reqs));
    function query(extra) {
      const p = new URLSearchParams();
      p.set('from', form.elements.from.value);
      p.set('to', form.elements.to.value);
      for (const k of ['tenant', 'model']) if (form.elements[k].value.trim()) p.set(k, form.elements[k].value.trim());
      for (const [k, v] of Object.entries(extra || {})) p.set(k, v);
      return p;
    }
    function groups() { return [...form.querySelectorAll('input[name=group]:checked')].map(i => i.value).join(','); }
    async function load() {
      try {
        const g = groups();
        const agg = await api('GET', '/admin/v1/usage?' + query(g ? { group_by: g } : {}));
        const dims = agg.group_by || [];
        out.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { id: 'usage-table' },
          h('thead', {}, h('tr', {}, dims.map(d => h('th', {}, d)), ['Requests', 'Errors', 'Input', 'Output', 'Cached', 'Cost'].map(x => h('th', { class: 'num' }, x)))),
          h('tbody', {}, agg.data.length ? agg.data.map(r => h('tr', {}, dims.map(d => h('td', {}, r[d] || '–')),
            h('td', { class: 'num' }, fmt.int(r.requests)), h('td', { class: 'num' }, fmt.int(r.errors)),
            h('td', { class: 'num' }, fmt.short(r.tokens.input)), h('td', { class: 'num' }, fmt.short(r.tokens.output)),
            h('td', { class: 'num' }, fmt.short(r.tokens.cache_read)), h('td', { class: 'num' }, fmt.usd(r.cost_usd))))
            : h('tr', {}, h('td', { colspan: dims.length + 6, class: 'empty' }, 'Nothing recorded in this range'))))));
        const rq = await api('GET', '/admin/v1/usage/requests?' + query({ limit: 50 }));
        reqs.replaceChildren(h('div', { class: 'table-wrap' }, h('table', { id: 'requests-table' },
          h('thead', {}, h('tr', {}, ['Time', 'Tenant', 'Dialect', 'Model', 'Provider', 'Status'].map(x => h('th', {}, x)),
            ['Input', 'Output', 'Latency', 'Cost'].map(x => h('th', { class: 'num' }, x)))),
          h('tbody', {}, rq.data.length ? rq.data.map(r => h('tr', {},
            h('td', {}, fmt.date(r.time) + ' ' + fmt.time(r.time)), h('td', {}, r.tenant || '–'), h('td', { class: 'pair' }, r.dialect),
            h('td', {}, r.model), h('td', {}, r.provider), h('td', {}, statusBadge(r.status)),
            h('td', { class: 'num' }, fmt.short(r.tokens.input)), h('td', { class: 'num' }, fmt.short(r.tokens.output)),
            h('td', { class: 'num' }, fmt.ms(r.latency_ms)), h('td', { class: 'num' }, fmt.usd(r.cost_usd))))
            : h('tr', {}, h('td', { colspan: 10, class: 'empty' }, 'No requests in this range'))))));
      } catch (err) { out.replaceChildren(h('div', { class: 'error' }, err.message)); }
    }
    async function exportCsv() {
      const g = groups();
      const r = await fetch('/admin/v1/usage?' + query(Object.assign({ format: 'csv' }, g ? { group_by: g } : {})), { headers: { 'x-rosetta-csrf': CSRF } });
      if (!r.ok) { toast('Export failed: HTTP ' + r.status, true); return; }
      const url = URL.createObjectURL(await r.blob());
      const a = h('a', { href: url, download: 'rosetta-usage-' + form.elements.from.value + '.csv' });
      document.body.append(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    }
    form.addEventListener('submit', e => { e.preventDefault(); load(); });
    await load();
  }

  // ------------------------------------------------------------------ Live
  async function live() {
    const dot = h('span', { class: 'dot' });
    const state = h('span', { id: 'live-state' }, 'connecting…');
    page('Live', 'Requests as they complete on this replica', h('span', { class: 'muted' }, dot, state));
    const body = h('tbody', { id: 'live-body' });
    view.append(card('Requests', 'newest first · the last 200', h('div', { class: 'table-wrap' }, h('table', { id: 'live-table' },
      h('thead', {}, h('tr', {}, ['Time', 'Client → provider', 'Model', 'Tenant', 'Status'].map(x => h('th', {}, x)),
        ['Latency', 'TTFT', 'Tokens in', 'Tokens out'].map(x => h('th', { class: 'num' }, x)))), body))));
    const row = (e, flash) => h('tr', { class: flash ? 'flash' : null, 'data-request': e.request_id },
      h('td', {}, fmt.time(e.time)),
      h('td', { class: 'pair' }, e.dialect + ' → ' + (e.upstream || '–'), e.stream ? h('span', { class: 'badge accent', style: 'margin-left:6px' }, 'stream') : null),
      h('td', {}, e.model || '–'), h('td', {}, e.tenant || '–'), h('td', {}, statusBadge(e.status)),
      h('td', { class: 'num' }, fmt.ms(e.latency_ms)), h('td', { class: 'num' }, fmt.ms(e.ttfb_ms)),
      h('td', { class: 'num' }, fmt.int(e.tokens_in)), h('td', { class: 'num' }, fmt.int(e.tokens_out)));
    const recent = await api('GET', '/ui/api/recent');
    let last = 0;
    recent.data.slice().reverse().forEach(e => { body.append(row(e)); last = Math.max(last, e.seq); });
    const es = new EventSource('/ui/api/live?csrf=' + encodeURIComponent(CSRF));
    es.onopen = () => { dot.className = 'dot on'; state.textContent = 'live'; };
    es.onerror = () => { dot.className = 'dot'; state.textContent = 'reconnecting…'; };
    es.addEventListener('request', m => {
      const e = JSON.parse(m.data);
      if (e.seq <= last) return;
      last = e.seq;
      body.prepend(row(e, true));
      while (body.children.length > 200) body.lastChild.remove();
    });
    cleanup.push(() => es.close());
  }

  // ------------------------------------------------------------------ Providers & models
  async function providers() {
    page('Providers & models', 'Targets the gateway routes to, and how they did in the last hour');
    const [cfg, stats, health] = await Promise.all([api('GET', '/ui/api/providers'), api('GET', '/ui/api/stats'),
      api('GET', '/admin/v1/health').catch(() => null)]);
    const byProvider = Object.fromEntries((stats.by.provider || []).map(r => [r.name, r]));
    const healthOf = name => {
      if (!health) return null;
      const list = health.providers || health.targets || health.data || [];
      return Array.isArray(list) ? list.find(x => x.name === name || x.provider === name) : list[name];
    };
    const grid = h('div', { class: 'grid kpis', id: 'providers-grid', style: 'grid-template-columns:repeat(auto-fill,minmax(300px,1fr))' });
    for (const p of cfg.providers) {
      const s = byProvider[p.name] || { requests: 0, errors: 0 };
      const hl = healthOf(p.name);
      const breaker = hl ? (hl.breaker || hl.state || hl.status) : null;
      const errRate = s.requests ? s.errors / s.requests : 0;
      grid.append(h('section', { class: 'card' },
        h('div', { style: 'display:flex;justify-content:space-between;align-items:center;margin-bottom:8px' },
          h('h2', { style: 'margin:0' }, p.name), h('span', { class: 'badge accent' }, p.type)),
        h('div', { class: 'muted mono', style: 'margin-bottom:10px' }, p.host || 'offline mock'),
        h('div', { class: 'actions', style: 'margin-bottom:10px' },
          breaker ? h('span', { class: 'badge ' + (/closed|ok|healthy/i.test(breaker) ? 'ok' : /half/i.test(breaker) ? 'warn' : 'bad') }, 'breaker ' + breaker)
            : h('span', { class: 'badge' }, health ? 'no breaker' : 'breaker state n/a'),
          p.passthrough ? h('span', { class: 'badge' }, 'passthrough') : null,
          h('span', { class: 'badge' }, 'timeout ' + p.timeout_s + 's')),
        h('table', {}, h('tbody', {},
          h('tr', {}, h('td', {}, 'Requests, last hour'), h('td', { class: 'num' }, fmt.int(s.requests))),
          h('tr', {}, h('td', {}, 'Error rate'), h('td', { class: 'num' }, h('span', { class: 'badge ' + (errRate > 0.05 ? 'bad' : errRate > 0 ? 'warn' : 'ok') }, s.requests ? fmt.pct(errRate) : '–'))),
          h('tr', {}, h('td', {}, 'Latency p50 / p99'), h('td', { class: 'num' }, fmt.ms(s.latency_p50_ms) + ' / ' + fmt.ms(s.latency_p99_ms))),
          hl && hl.keys ? h('tr', {}, h('td', {}, 'Key pool'), h('td', { class: 'num' }, Array.isArray(hl.keys) ? hl.keys.length + ' keys' : String(hl.keys))) : null))));
    }
    view.append(grid);
    const byModel = Object.fromEntries((stats.by.model || []).map(r => [r.name, r]));
    view.append(h('div', { style: 'height:16px' }), card('Models', cfg.models.length + ' configured', h('div', { class: 'table-wrap' }, h('table', { id: 'models-table' },
      h('thead', {}, h('tr', {}, ['Model', 'Provider', 'Upstream model'].map(x => h('th', {}, x)), ['Requests', 'Errors', 'p50', 'TTFT'].map(x => h('th', { class: 'num' }, x)))),
      h('tbody', {}, cfg.models.map(m => {
        const s = byModel[m.name] || {};
        return h('tr', {}, h('td', {}, h('strong', {}, m.name)), h('td', {}, m.provider), h('td', { class: 'mono' }, m.upstream_model),
          h('td', { class: 'num' }, fmt.int(s.requests || 0)), h('td', { class: 'num' }, fmt.int(s.errors || 0)),
          h('td', { class: 'num' }, fmt.ms(s.latency_p50_ms)), h('td', { class: 'num' }, fmt.ms(s.ttfb_p50_ms)));
      }))))));
  }

  // ------------------------------------------------------------------ Playground
  // POST /admin/v1/playground {dialect, model, prompt, stream} → {client_request, upstream_request,
  // upstream_response, client_response, status, target}; upstream_* are null when no provider was called.
  const PLAYGROUND_DIALECTS = [['openai', 'OpenAI Chat'], ['responses', 'OpenAI Responses'], ['anthropic', 'Anthropic Messages'], ['gemini', 'Gemini']];
  async function playground() {
    page('Playground', 'One prompt through any client dialect: see what each side sent and got');
    const cfg = await api('GET', '/ui/api/providers');
    const form = h('form', { class: 'inline', id: 'playground-form' },
      h('div', { class: 'field' }, h('label', {}, 'Client dialect'), h('select', { name: 'dialect' },
        PLAYGROUND_DIALECTS.map(([v, l]) => h('option', { value: v }, l)))),
      h('div', { class: 'field' }, h('label', {}, 'Model'), h('select', { name: 'model' }, cfg.models.map(m => h('option', { value: m.name }, m.name + ' (' + m.provider + ')')))),
      h('label', { class: 'check', style: 'padding-bottom:9px' }, h('input', { type: 'checkbox', name: 'stream' }), 'stream'),
      h('div', { class: 'field grow', style: 'flex-basis:100%' }, h('label', {}, 'Prompt'), h('textarea', { name: 'prompt', required: true }, 'Say hello in three languages.')),
      h('button', { class: 'primary', type: 'submit' }, 'Send'));
    const status = h('div', { class: 'muted', id: 'playground-status', style: 'margin-top:10px' });
    const panes = h('div', { class: 'panes', id: 'panes' });
    view.append(card('Request', null, form, status), panes);
    const label = v => (PLAYGROUND_DIALECTS.find(([d]) => d === v) || [v, v])[1];
    const pane = (id, title, sub, value, none) => h('section', { class: 'card pane', id }, h('h2', {}, h('span', {}, title, h('span', { class: 'hint' }, sub))),
      value === null || value === undefined ? h('p', { class: 'muted empty' }, none) : h('pre', {}, pretty(value)));
    form.addEventListener('submit', async e => {
      e.preventDefault();
      const button = form.querySelector('button[type=submit]');
      button.disabled = true;
      status.textContent = 'Sending…';
      panes.replaceChildren();
      const body = { dialect: form.elements.dialect.value, model: form.elements.model.value, prompt: form.elements.prompt.value, stream: form.elements.stream.checked };
      try {
        const r = await api('POST', '/admin/v1/playground', body);
        const provider = r.target ? r.target.split('/')[0] : null;
        const noCall = 'No provider call: ' + (r.status >= 400 ? 'the gateway answered itself.' : 'the model is served in-process (mock).');
        status.replaceChildren('Answered ', statusBadge(r.status), r.target ? h('span', {}, ' by ', h('code', {}, r.target)) : '');
        panes.replaceChildren(
          pane('pane-client-request', 'Client request', label(body.dialect) + (body.stream ? ', streamed' : ''), r.client_request),
          pane('pane-upstream-request', 'Provider request', provider ? 'what ' + provider + ' received' : 'what the provider received', r.upstream_request, noCall),
          pane('pane-upstream-response', 'Provider answer', 'what it sent back', r.upstream_response, noCall),
          pane('pane-client-response', 'Client answer', 'HTTP ' + r.status + ', in ' + label(body.dialect), r.client_response));
      } catch (err) {
        status.replaceChildren(h('span', { class: 'error' }, err.status === 404 ? 'The playground endpoint (POST /admin/v1/playground) is not available on this gateway.' : err.message));
      } finally {
        button.disabled = false;
      }
    });
  }

  function pretty(s) {
    try { return JSON.stringify(JSON.parse(s), null, 2); } catch (e) { return s; }
  }

  // ------------------------------------------------------------------ routing
  const pages = { overview, tenants, usage, live, providers, playground };
  async function route() {
    cleanup.forEach(f => { try { f(); } catch (e) { /* already gone */ } });
    cleanup = [];
    const name = (location.hash || '#overview').slice(1);
    const fn = pages[name] || overview;
    document.querySelectorAll('#nav a').forEach(a => a.classList.toggle('active', a.dataset.page === (pages[name] ? name : 'overview')));
    view.replaceChildren(h('div', { class: 'empty' }, 'Loading…'));
    try { await fn(); } catch (err) { view.replaceChildren(h('div', { class: 'card error' }, 'Could not load this page: ' + err.message)); }
  }
  window.addEventListener('hashchange', route);
  document.getElementById('logout').addEventListener('click', async () => {
    await fetch('/ui/logout', { method: 'POST', headers: { 'x-rosetta-csrf': CSRF } });
    location.href = '/ui/login';
  });
  route();
})();
