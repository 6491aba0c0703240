// Berth's dashboard: plain JavaScript over the /api/v1 read views (the same for `berth serve` and `berth operator`).
// Views by URL hash: #/ (cluster over time, queues, cohorts), #/jobs?queue=&state=&user= (jobs, paged on the server and
// virtualised), #/nodes (GPU grid), #/jobs/ID (one job). Live: job changes over /api/v1/events (server-sent events read
// with fetch, so the bearer token goes in a header, never in a URL).
"use strict";
(() => {
  const palette = window.BerthPalette;
  const states = ["pending", "held", "running", "succeeded", "failed", "cancelled"];
  const rowHeight = 34;
  const pageSize = 500;
  const main = document.getElementById("main");
  const messageBox = document.getElementById("message");
  let info = null;
  let chart = null;
  let refreshTimer = null;
  let jobsTable = null;
  let current = "";
  let started = false;

  // ---- token and API ----
  const tokenKey = "berth.token";
  // A link may carry the token in its fragment (never sent to a server): #token=T, optionally &route=/jobs...
  const fromHash = /^#token=([^&]+)(?:&route=(.*))?$/.exec(location.hash);
  if (fromHash) {
    sessionStorage.setItem(tokenKey, decodeURIComponent(fromHash[1]));
    history.replaceState(null, "", location.pathname + location.search + "#" + (fromHash[2] ? decodeURIComponent(fromHash[2]) : "/"));
  }

  class Problem extends Error {
    constructor(status, detail, field) { super(detail); this.status = status; this.field = field; }
  }

  async function api(path, options = {}) {
    const headers = Object.assign({ Accept: "application/json" }, options.headers || {});
    const token = sessionStorage.getItem(tokenKey);
    if (token) headers.Authorization = "Bearer " + token;
    const response = await fetch("/api/v1" + path, Object.assign({}, options, { headers }));
    if (!response.ok) {
      let detail = response.status + " " + response.statusText, field;
      try { const p = await response.json(); detail = p.detail || p.title || detail; field = p.field; } catch { /* not JSON */ }
      if (response.status === 401) askToken(detail);
      throw new Problem(response.status, detail, field);
    }
    const type = response.headers.get("Content-Type") || "";
    return type.includes("json") ? response.json() : response.text();
  }

  function askToken(why) {
    const form = document.getElementById("token-form");
    document.getElementById("token-why").textContent = why
      ? "The API refused the token: " + why
      : "This dashboard asks the API with a bearer token: the admin token is in DATA_DIR/admin.token, or make one with berth token create (on Kubernetes: kubectl create token <service-account>).";
    form.hidden = false;
    document.getElementById("token-input").focus();
  }

  document.getElementById("token-form").addEventListener("submit", e => {
    e.preventDefault();
    sessionStorage.setItem(tokenKey, document.getElementById("token-input").value.trim());
    document.getElementById("token-form").hidden = true;
    start();
  });
  document.getElementById("token-button").addEventListener("click", () => askToken(null));

  function showMessage(text) {
    messageBox.textContent = text;
    messageBox.hidden = !text;
  }

  // ---- small helpers ----
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") node.className = v; else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  };
  const num = (x, digits = 1) => x === null || x === undefined ? "–" : Number(x).toLocaleString("en", { maximumFractionDigits: digits });
  const when = t => t ? new Date(t).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z") : "–";
  const stateTag = s => el("span", { class: "state " + s, text: s });
  const gpuRows = quota => quota.filter(q => q.resource === "gpu");
  const sum = (rows, f) => rows.reduce((a, r) => a + f(r), 0);
  const colorOf = id => { let h = 0; for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0; return palette.series[h % palette.series.length]; };
  // Black or white, whichever reads better on a background (WCAG contrast of relative luminances).
  const inkOn = hex => {
    const [r, g, b] = [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16) / 255).map(c => c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    const l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? "#000000" : "#ffffff";
  };
  const jobLink = id => el("a", { href: "#/jobs/" + encodeURIComponent(id), text: id });
  function section(title, ...children) { return el("section", { class: "card", "aria-labelledby": "h-" + title.replace(/\W+/g, "-") }, el("h2", { id: "h-" + title.replace(/\W+/g, "-"), text: title }), ...children); }
  function table(caption, headers, rows) {
    return el("div", { class: "scroll-x" }, el("table", {},
      el("caption", { class: "sr", text: caption }),
      el("thead", {}, el("tr", {}, headers.map(h => el("th", { scope: "col", class: h.num ? "num" : null, text: h.text || h })))),
      el("tbody", {}, rows)));
  }
  const td = (v, n) => el("td", { class: n ? "num" : null }, v);

  // ---- routing ----
  // Draws run one after another: a second draw (a click's answer and a live update at once) clears the view only once
  // the first has finished appending, so a view is never drawn twice into the page.
  let drawing = Promise.resolve();
  function route() {
    drawing = drawing.then(draw, draw);
    return drawing;
  }

  function draw() {
    const hash = location.hash.replace(/^#/, "") || "/";
    const [path, query] = hash.split("?");
    const params = new URLSearchParams(query || "");
    if (jobsTable) { jobsTable.dispose(); jobsTable = null; }
    if (chart) { chart.destroy(); chart = null; }
    showMessage("");
    const view = path.startsWith("/jobs/") ? "job" : path === "/jobs" ? "jobs" : path === "/nodes" ? "nodes" : "overview";
    for (const a of document.querySelectorAll("nav a")) {
      if (a.dataset.view === view || (view === "job" && a.dataset.view === "jobs")) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
    }
    current = view;
    main.replaceChildren();
    const render = { overview: renderOverview, jobs: () => renderJobs(params), nodes: renderNodes, job: () => renderJob(decodeURIComponent(path.slice(6))) }[view];
    return render().catch(e => showMessage(e.message));
  }

  // ---- overview: cluster over time, queues, cohorts ----
  // Chart.js (served from /ui like the rest) is fetched the first time a chart is drawn, so other views load without it.
  let chartLoaded = null;
  function loadChart() {
    chartLoaded ??= new Promise(resolve => {
      const script = el("script", { src: "chart.umd.min.js" });
      script.addEventListener("load", resolve);
      script.addEventListener("error", () => { showMessage("Chart.js could not be loaded from this server; the tables below the charts have the same data."); resolve(); });
      document.head.append(script);
    });
    return chartLoaded;
  }

  async function renderOverview() {
    const [timeline, queues, cohorts] = await Promise.all([api("/timeline"), api("/queues"), api("/cohorts"), loadChart()]);
    if (current !== "overview") return;
    const canvas = el("canvas", { role: "img", "aria-label": "GPUs over time: allocated, free, fragmented, idle while allocated, and used; the table below has the same data" });
    const summary = el("p", { class: "summary", id: "timeline-summary" });
    const data = el("details", {}, el("summary", { text: "Data as a table (last 20 points)" }));
    main.append(section("Cluster over time", el("div", { class: "chart" }, canvas), summary, data));
    drawTimeline(canvas, summary, data, timeline);
    main.append(queuesCard(queues), cohortsCard(cohorts));
  }

  function drawTimeline(canvas, summary, data, timeline) {
    const points = timeline.points;
    const last = points[points.length - 1];
    summary.textContent = last
      ? `Now (${when(last.at)}): ${num(last.allocated)} of ${num(timeline.totalGpus)} GPUs allocated, ${num(last.free)} free, of which ${num(last.fragmented)} fragmented (on partly held GPUs)` +
        (last.used === null || last.used === undefined ? "; GPU use not reported." : `; ${num(last.used)} busy and ${num(last.idleAllocated)} allocated but idle.`) +
        ratios(last, timeline.totalGpus)
      : `No samples yet; the cluster has ${num(timeline.totalGpus)} GPUs.`;
    const rows = points.slice(-20).map(p => el("tr", {}, td(when(p.at)), td(num(p.allocated), true), td(num(p.free), true), td(num(p.fragmented), true), td(num(p.idleAllocated), true), td(num(p.used), true)));
    data.append(table("GPUs over time", ["time", { text: "allocated", num: true }, { text: "free", num: true }, { text: "fragmented", num: true }, { text: "idle allocated", num: true }, { text: "used", num: true }], rows));
    if (!window.Chart) return;
    const series = [["allocated", "Allocated"], ["free", "Free"], ["fragmented", "Fragmented"], ["idleAllocated", "Allocated, idle"], ["used", "Used"]];
    chart = new Chart(canvas, {
      type: "line",
      data: {
        datasets: series.filter(([k]) => k !== "used" || points.some(p => p.used !== null && p.used !== undefined)).map(([key, label]) => ({
          label, data: points.map(p => ({ x: Date.parse(p.at), y: p[key] })), borderColor: palette.timeline[key], backgroundColor: palette.timeline[key],
          stepped: true, pointRadius: 0, borderWidth: 2, borderDash: key === "fragmented" ? [6, 3] : key === "idleAllocated" ? [2, 2] : undefined,
        })),
      },
      options: {
        animation: false, maintainAspectRatio: false, parsing: false, normalized: true,
        scales: { x: { type: "linear", ticks: { callback: v => new Date(v).toISOString().slice(11, 16) } }, y: { beginAtZero: true, title: { display: true, text: "GPUs" } } },
        plugins: { legend: { position: "bottom" }, tooltip: { callbacks: { title: items => when(items[0].parsed.x) } } },
      },
    });
  }

  // Allocation = allocated / capacity beside yield = used / capacity (#16): the gap between them is allocated GPUs left idle.
  function ratios(point, capacity) {
    if (!(capacity > 0)) return "";
    const pct = v => `${num(100 * v / capacity, 1)}%`;
    return ` Allocation ${pct(point.allocated)}` + (point.used === null || point.used === undefined ? "; yield not known." : `, yield ${pct(point.used)} (used / capacity).`);
  }

  function usageBar(used, nominal) {
    const pct = nominal > 0 ? Math.min(100, 100 * used / nominal) : used > 0 ? 100 : 0;
    return el("span", { class: "bar", "aria-hidden": "true" }, el("span", { class: used > nominal ? "over" : null, style: `width:${pct}%` }));
  }

  function queuesCard(queues) {
    const rows = queues.map(q => {
      const g = gpuRows(q.quota);
      const used = sum(g, r => r.used), nominal = sum(g, r => r.nominal);
      return el("tr", { "data-queue": q.name },
        td(el("a", { href: "#/jobs?queue=" + encodeURIComponent(q.name), text: q.name })), td(q.cohort || "–"), td(num(q.weight, 2), true),
        td([usageBar(used, nominal), `${num(used)} / ${num(nominal)}`], true), td(num(sum(g, r => r.borrowed || 0)), true), td(num(sum(g, r => r.lent || 0)), true),
        td(q.usedGpus === null || q.usedGpus === undefined ? "–" : `${num(q.usedGpus)} / ${num(q.idleGpus)}`, true),
        td(q.pending, true), td(q.held, true), td(q.running, true), td(num(q.share, 3), true), td(q.stopPolicy));
    });
    return section("Queues", table("Queues: GPU quota and use, borrowed, lent, GPUs busy and idle, jobs, fair share", ["queue", "cohort", { text: "weight", num: true }, { text: "GPUs used / quota", num: true }, { text: "borrowed", num: true }, { text: "lent", num: true }, { text: "GPUs busy / idle", num: true }, { text: "pending", num: true }, { text: "held", num: true }, { text: "running", num: true }, { text: "share", num: true }, "stop"], rows),
      el("p", { class: "summary", text: "GPUs busy / idle: of its running jobs' GPUs whose activity is known, those kept busy and those held idle (– while none is known). Share: the queue's weighted dominant share of what it borrows (0 within its quota); fair share serves the lowest first." }));
  }

  function cohortsCard(cohorts) {
    const rows = cohorts.map(c => {
      const g = gpuRows(c.quota);
      const own = Object.entries(c.ownGpus || {}).map(([f, n]) => `${f}: ${num(n)}`).join(", ") || "–";
      return el("tr", { "data-cohort": c.name }, td(c.name), td(c.parent || "–"), td(num(c.weight, 2), true), td(c.queues.join(", ")), td(`${num(sum(g, r => r.used))} / ${num(sum(g, r => r.nominal))}`, true), td(num(sum(g, r => r.borrowed || 0)), true),
        td(c.usedGpus === null || c.usedGpus === undefined ? "–" : `${num(c.usedGpus)} / ${num(c.idleGpus)}`, true), td(own));
    });
    return section("Cohorts", table("Cohorts: queues, GPU quota and use, GPUs busy and idle", ["cohort", "parent", { text: "weight", num: true }, "queues", { text: "GPUs used / quota", num: true }, { text: "borrowed", num: true }, { text: "GPUs busy / idle", num: true }, "own GPUs"], rows));
  }

  // ---- jobs: filters, virtualised table paged on the server, submit form ----
  async function renderJobs(params) {
    const filter = { queue: params.get("queue") || "", state: params.get("state") || "", user: params.get("user") || "" };
    const first = api(JobsTable.query(filter, null));
    first.catch(() => { /* shown below, once the page is laid out */ });
    const queues = await api("/queues");
    if (current !== "jobs") return;
    const queueSelect = el("select", { id: "f-queue", name: "queue" }, el("option", { value: "", text: "any" }), queues.map(q => el("option", { value: q.name, text: q.name })));
    const stateSelect = el("select", { id: "f-state", name: "state" }, el("option", { value: "", text: "any" }), states.map(s => el("option", { value: s, text: s })));
    // A filter from the URL that is not in the lists is kept, so that the API can say what is wrong with it.
    for (const [select, value] of [[queueSelect, filter.queue], [stateSelect, filter.state]]) {
      if (value && ![...select.options].some(o => o.value === value)) select.append(el("option", { value, text: value }));
      select.value = value;
    }
    const userInput = el("input", { id: "f-user", name: "user", value: filter.user, placeholder: "any" });
    const form = el("form", { class: "filters", role: "search", "aria-label": "Filter jobs", onsubmit: e => {
      e.preventDefault();
      const q = new URLSearchParams();
      if (queueSelect.value) q.set("queue", queueSelect.value);
      if (stateSelect.value) q.set("state", stateSelect.value);
      if (userInput.value.trim()) q.set("user", userInput.value.trim());
      location.hash = "#/jobs" + (q.toString() ? "?" + q : "");
    } }, el("label", {}, "Queue", queueSelect), el("label", {}, "State", stateSelect), el("label", {}, "User", userInput), el("button", { type: "submit", text: "Filter" }));
    const count = el("p", { class: "summary", id: "jobs-count", "aria-live": "polite" });
    const host = el("div", { class: "vt", id: "jobs-table", role: "table", "aria-label": "Jobs", "aria-rowcount": "0" });
    main.append(section("Jobs", form, count, host));
    if (!info.readOnly) main.append(submitCard(queues));
    jobsTable = new JobsTable(host, count, filter);
    jobsTable.show(await first);
  }

  class JobsTable {
    constructor(host, count, filter) {
      this.host = host; this.count = count; this.filter = filter;
      this.pages = []; this.total = 0; this.rows = []; this.next = undefined; this.loading = null;
      this.head = el("div", { class: "vt-head", role: "row" }, ["id", "name", "queue", "user", "state", "GPUs", "reason or message", "position", "expected start"].map(h => el("span", { role: "columnheader", text: h })));
      this.body = el("div", { class: "vt-body", role: "rowgroup" });
      host.append(this.head, this.body);
      this.onScroll = () => this.render();
      host.addEventListener("scroll", this.onScroll);
      host.addEventListener("keydown", e => this.key(e));
    }
    static query(filter, after) {
      const q = new URLSearchParams({ limit: String(pageSize) });
      for (const k of ["queue", "state", "user"]) if (filter[k]) q.set(k, filter[k]);
      if (after) q.set("after", after);
      return "/jobs?" + q;
    }
    query(after) { return JobsTable.query(this.filter, after); }
    show(page) {
      this.pages = [{ after: null, items: page.items }];
      this.next = page.next; this.total = page.total;
      this.flatten(); this.render();
    }
    async more() {
      if (!this.next || this.loading) return;
      const after = this.next;
      this.loading = true;
      try {
        const page = await api(this.query(after));
        this.pages.push({ after, items: page.items }); this.next = page.next; this.total = page.total;
      } catch (e) { showMessage(e.message); return; } finally { this.loading = false; }
      this.flatten(); this.render();
    }
    // Live: reload the pages on screen (their cursors are stable), so states, reasons and positions are current.
    async refresh() {
      const first = Math.floor(this.host.scrollTop / rowHeight), last = first + Math.ceil(this.host.clientHeight / rowHeight) + 1;
      let offset = 0;
      for (const page of this.pages) {
        const end = offset + page.items.length;
        if (end >= first && offset <= last || page === this.pages[this.pages.length - 1]) {
          const fresh = await api(this.query(page.after));
          page.items = fresh.items; this.total = fresh.total;
          if (page === this.pages[this.pages.length - 1]) this.next = fresh.next;
        }
        offset = end;
      }
      this.flatten(); this.render();
    }
    flatten() { this.rows = this.pages.flatMap(p => p.items); }
    render() {
      const total = Math.max(this.total, this.rows.length);
      this.body.style.height = total * rowHeight + "px";
      this.host.setAttribute("aria-rowcount", String(total + 1));
      this.count.textContent = `${this.total.toLocaleString("en")} jobs` + (this.rows.length < this.total ? ` (${this.rows.length.toLocaleString("en")} loaded; scroll for more)` : "");
      const first = Math.max(0, Math.floor(this.host.scrollTop / rowHeight) - 5);
      const last = Math.min(total, first + Math.ceil(this.host.clientHeight / rowHeight) + 10);
      if (last > this.rows.length && this.next) this.more();
      const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.id : null;
      const rows = [];
      for (let i = first; i < Math.min(last, this.rows.length); i++) rows.push(this.row(this.rows[i], i));
      this.body.replaceChildren(...rows);
      if (focused) { const again = this.body.querySelector(`[data-id="${CSS.escape(focused)}"]`); if (again) again.focus(); }
    }
    row(job, i) {
      const reason = job.pending ? `${job.pending.code}: ${job.pending.message}` : job.message || "";
      return el("div", { class: "vt-row", role: "row", tabindex: "0", "data-id": job.id, "aria-rowindex": String(i + 2), style: `top:${i * rowHeight}px`,
        "aria-label": `job ${job.id}, ${job.state}` + (job.queuePosition ? `, position ${job.queuePosition}` : ""),
        onclick: () => { location.hash = "#/jobs/" + encodeURIComponent(job.id); } },
      el("span", { role: "cell" }, jobLink(job.id)), el("span", { role: "cell", text: job.name || "–" }), el("span", { role: "cell", text: job.queue }),
      el("span", { role: "cell", text: job.user || "–" }), el("span", { role: "cell" }, stateTag(job.state)), el("span", { role: "cell", text: num(job.gpus, 2) }),
      el("span", { role: "cell", class: "reason", title: reason, text: reason || "–" }), el("span", { role: "cell", class: "position", text: job.queuePosition ?? "–" }),
      el("span", { role: "cell", text: job.expectedStart ? when(job.expectedStart) : "–" }));
    }
    key(e) {
      const row = e.target.closest && e.target.closest(".vt-row");
      if (!row) return;
      if (e.key === "Enter") { e.preventDefault(); location.hash = "#/jobs/" + encodeURIComponent(row.dataset.id); return; }
      if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
      e.preventDefault();
      const i = Number(row.getAttribute("aria-rowindex")) - 2 + (e.key === "ArrowDown" ? 1 : -1);
      if (i < 0 || i >= this.total) return;
      const top = i * rowHeight;
      if (top < this.host.scrollTop + 30) this.host.scrollTop = top - 30; else if (top + rowHeight > this.host.scrollTop + this.host.clientHeight) this.host.scrollTop = top + rowHeight - this.host.clientHeight;
      this.render();
      const next = this.body.querySelector(`[aria-rowindex="${i + 2}"]`);
      if (next) next.focus();
    }
    dispose() { this.host.removeEventListener("scroll", this.onScroll); }
  }

  function submitCard(queues) {
    const status = el("p", { class: "summary", id: "submit-status", "aria-live": "polite" });
    const field = (label, attrs) => el("label", {}, label, el("input", attrs));
    const queue = el("select", { name: "queue", id: "s-queue" }, queues.map(q => el("option", { value: q.name, text: q.name })));
    const form = el("form", { class: "submit", id: "submit-form", "aria-label": "Submit a job", onsubmit: async e => {
      e.preventDefault();
      const f = new FormData(form);
      const share = Number(f.get("gpuShare"));
      const body = { name: f.get("name") || undefined, queue: f.get("queue"), duration: f.get("duration") || undefined,
        podSets: [share > 0 && share < 1
          ? { name: "main", count: Number(f.get("pods")), gpuShare: share, cpu: 1, memoryGiB: 4 }
          : { name: "main", count: Number(f.get("pods")), gpus: Number(f.get("gpus")), cpu: 1, memoryGiB: 4 }] };
      try {
        const job = await api("/jobs", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
        status.replaceChildren("Submitted ", jobLink(job.id), ` (${job.state}).`);
        if (jobsTable) await jobsTable.refresh();
      } catch (err) { status.textContent = "Not submitted: " + err.message; }
    } },
    field("Name", { name: "name", id: "s-name", value: "train" }), el("label", {}, "Queue", queue),
    field("Pods", { name: "pods", id: "s-pods", type: "number", min: "1", value: "1", required: true }),
    field("GPUs per pod", { name: "gpus", id: "s-gpus", type: "number", min: "0", value: "1", required: true }),
    field("or a GPU share (0–1)", { name: "gpuShare", id: "s-share", type: "number", min: "0", max: "1", step: "0.05" }),
    field("Duration", { name: "duration", id: "s-duration", value: "10m" }),
    el("button", { type: "submit", text: "Submit" }));
    return section("Submit a job", form, status);
  }

  // ---- nodes: the GPU grid ----
  async function renderNodes() {
    const nodes = await api("/nodes");
    if (current !== "nodes") return;
    const gpus = nodes.flatMap(n => n.gpus);
    const held = gpus.filter(g => g.heldBy.length > 0).length;
    const legend = el("div", { class: "legend" }, "Each box is a GPU: a colour per job; stripes: shared or a slice; hatched orange: unhealthy; dashed border: cordoned node; bar and %: how busy it is (telemetry; none: unknown).");
    const grid = el("div", { class: "nodes", role: "list", "aria-label": "Nodes and their GPUs" }, nodes.map(nodeCard));
    main.append(section("Nodes", el("p", { class: "summary", text: `${nodes.length} nodes, ${gpus.length} GPUs, ${held} held, ${nodes.filter(n => n.cordoned).length} cordoned.` }), legend, grid));
  }

  function nodeCard(n) {
    return el("article", { class: "node" + (n.cordoned ? " cordoned" : ""), role: "listitem", "data-node": n.name, "aria-label": `node ${n.name}` + (n.cordoned ? ", cordoned" : "") },
      el("h3", {}, el("span", { text: n.name }), el("span", { class: "summary", text: (n.cordoned ? "cordoned · " : "") + `${num(n.cpu, 0)} CPU · ${num(n.memoryGiB, 0)} GiB` })),
      el("div", { class: "gpus" }, n.gpus.map(g => gpuCell(n, g))),
      // The node's latest event (a GPU gone unhealthy or back), where the source keeps node events.
      n.lastEvent ? el("p", { class: "summary node-event", text: `${when(n.lastEvent.at)} ${n.lastEvent.kind}: ${n.lastEvent.message}` }) : null);
  }

  function gpuCell(n, g) {
    const holders = g.heldBy;
    const who = holders.map(h => `${h.job}${h.share < 1 ? ` (${num(h.share, 2)})` : ""}`).join(", ");
    // Activity is told in text (a percentage) and by a bar's length, never by colour alone.
    const busy = g.activity === null || g.activity === undefined ? null : Math.round(g.activity * 100);
    const label = `GPU ${g.index} of ${n.name}, ${g.model}: ` + (g.healthy === false ? "unhealthy; " : "") + (holders.length ? `held by ${who}` : "free") + (g.free > 0 && g.free < 1 ? `, ${num(g.free, 2)} free` : "") + (busy === null ? "" : `, ${busy}% busy`);
    const first = holders.find(h => h.job && !h.job.startsWith("("));
    const shown = holders.length ? [...new Set(holders.map(h => h.job))].join(" ") : "free";
    // The accessible name starts with what is visible (#index, holders), then says it in words.
    const cell = el(first ? "a" : "div", { class: "gpu" + (holders.length ? " held" : "") + (g.free > 0 && holders.length ? " partial" : "") + (g.healthy === false ? " unhealthy" : ""),
      href: first ? "#/jobs/" + encodeURIComponent(first.job) : null, role: first ? null : "img", "aria-label": `#${g.index} ${shown}: ${label}`, title: label, "data-gpu": `${n.name}/${g.index}`, "data-jobs": holders.map(h => h.job).join(" ") },
    el("span", { class: "idx", text: `#${g.index}` }), " ", el("span", { text: shown }),
    busy === null ? null : busyBar(busy));
    if (holders.length && g.healthy !== false) {
      const background = holders[0].job.startsWith("(") ? "#555555" : colorOf(holders[0].job);
      cell.style.backgroundColor = background;
      cell.style.color = inkOn(background);
    }
    return cell;
  }

  // A GPU's activity: its percentage in text and a bar as long (the cell's accessible name says it in words).
  function busyBar(busy) {
    const bar = el("span", { class: "busy-bar" });
    bar.style.width = `${busy}%`;
    return el("span", { class: "busy", "data-activity": String(busy), "aria-hidden": "true" }, bar, el("span", { class: "busy-text", text: `${busy}%` }));
  }

  // ---- one job ----
  async function renderJob(id) {
    let job;
    try { job = await api("/jobs/" + encodeURIComponent(id)); } catch (e) {
      if (current === "job") { main.append(section("Job " + id, el("p", { class: "summary", text: "Nothing to show." }))); showMessage(e.message); }
      return;
    }
    if (current !== "job") return;
    // A running job whose last GPU-activity event since it started says idle ("Idle", not the server's "Busy" that follows when its GPUs recover) gets a badge.
    const activityEvents = (job.events || []).filter(e => (e.kind === "Idle" || e.kind === "Busy") && (!job.startedAt || Date.parse(e.at) >= Date.parse(job.startedAt)));
    const idle = job.state === "running" && activityEvents.length > 0 && activityEvents[activityEvents.length - 1].kind === "Idle";
    const facts = [["State", idle ? [stateTag(job.state), " ", el("span", { class: "badge idle", id: "idle-badge", text: "idle GPUs" })] : stateTag(job.state)], ["Queue", job.queue], ["User", job.user || "–"], ["Priority class", job.priorityClass || "–"], ["GPUs", num(job.gpus, 2)], ["Pods", job.pods],
      ["Submitted", when(job.created)], ["Admitted", when(job.admittedAt)], ["Started", when(job.startedAt)], ["Finished", when(job.finishedAt)], ["Waited", num(job.waitedSeconds, 0) + " s"],
      ["Pending reason", job.pending ? `${job.pending.code}: ${job.pending.message}` : "–"], ["Queue position", job.queuePosition ?? "–"], ["Expected start", when(job.expectedStart)], ["Message", job.message || "–"], ["Right-sizing", job.rightSizing || "–"]];
    const dl = el("dl", { class: "facts", id: "job-facts" }, facts.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { "data-fact": k }, v)]));
    const final = ["succeeded", "failed", "cancelled"].includes(job.state);
    const possible = [["Cancel", "DELETE", "", !final], ["Hold", "POST", "/hold", job.state === "pending"], ["Release", "POST", "/release", job.state === "held"]].filter(a => a[3]);
    const actions = info.readOnly || possible.length === 0 ? null : el("div", { class: "actions" }, possible.map(([label, method, suffix]) =>
      el("button", { type: "button", onclick: async () => {
        try { await api("/jobs/" + encodeURIComponent(job.id) + suffix, { method }); route(); } catch (e) { showMessage(e.message); }
      } }, label)));
    main.append(section(`Job ${job.id}` + (job.name ? ` (${job.name})` : ""), dl, actions));
    const preempted = (job.events || []).filter(e => e.kind === "Requeued" || e.kind === "Lost");
    main.append(el("div", { class: "grid2" },
      section("Placement", job.placement ? table("Placement of its pods", ["pod", "node", "GPUs", { text: "share", num: true }, "busy"], job.placement.map(p => el("tr", {}, td(p.pod), td(el("a", { href: "#/nodes", text: p.node })), td(p.gpus.join(", ")), td(num(p.gpuShare, 2), true),
        td(p.gpuActivity ? p.gpuActivity.map((a, i) => `#${p.gpus[i]} ${a === null ? "?" : Math.round(a * 100) + "%"}`).join(", ") : "–")))) : el("p", { class: "summary", text: "Not placed." })),
      section("Reason history", (job.reasons || []).length ? table("Pending reasons it has had", ["since", "reason", "message"], job.reasons.map(r => el("tr", {}, td(when(r.since)), td(r.code), td(r.message)))) : el("p", { class: "summary", text: "No pending reason recorded." })),
      section("Preempted or requeued", preempted.length ? table("What sent it back to its queue", ["at", "kind", "why"], preempted.map(e => el("tr", {}, td(when(e.at)), td(e.kind), td(e.message)))) : el("p", { class: "summary", text: "Never preempted or requeued." })),
      section("Events", table("Events of the job", ["at", "kind", "message"], (job.events || []).map(e => el("tr", {}, td(when(e.at)), td(e.kind), td(e.message)))))));
    if (info.logs && job.placement) {
      const pre = el("pre", { class: "logs", tabindex: "0", "aria-label": "Logs of the first pod" });
      main.append(section("Logs", pre));
      api("/jobs/" + encodeURIComponent(job.id) + "/logs").then(text => { pre.textContent = text || "(empty)"; }, e => { pre.textContent = e.message; });
    }
  }

  // ---- live updates ----
  async function listen() {
    const live = document.getElementById("live");
    for (;;) {
      try {
        const token = sessionStorage.getItem(tokenKey);
        const response = await fetch("/api/v1/events", { headers: token ? { Authorization: "Bearer " + token, Accept: "text/event-stream" } : {} });
        if (!response.ok) { live.textContent = "live updates off (" + response.status + ")"; live.classList.remove("on"); if (response.status === 401) return; throw new Error(String(response.status)); }
        live.textContent = "live"; live.classList.add("on");
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, cut); buffer = buffer.slice(cut + 2);
            const data = block.split("\n").filter(l => l.startsWith("data: ")).map(l => l.slice(6)).join("\n");
            if (data) changed(JSON.parse(data));
          }
        }
      } catch { /* reconnect below */ }
      live.textContent = "reconnecting…"; live.classList.remove("on");
      await new Promise(r => setTimeout(r, 2000));
    }
  }

  // Redraws after changes: soon (250 ms after the last of a burst), but a whole view at most every 2 s, keeping the
  // keyboard focus where it was (on the same GPU, job or link) so that live updates do not throw a keyboard user out.
  let lastRedraw = 0;
  function changed(change) {
    document.body.dataset.lastChange = `${change.job} ${change.state}`;
    clearTimeout(refreshTimer);
    const wait = current === "jobs" ? 250 : Math.max(250, lastRedraw + 2000 - Date.now());
    refreshTimer = setTimeout(() => {
      lastRedraw = Date.now();
      if (current === "jobs" && jobsTable) jobsTable.refresh().catch(e => showMessage(e.message));
      else if (current === "job" && location.hash.includes("/jobs/" + encodeURIComponent(change.job))) redraw();
      else if (current === "overview" || current === "nodes") redraw();
    }, wait);
  }

  async function redraw() {
    const focused = document.activeElement;
    const key = focused && main.contains(focused)
      ? ["data-gpu", "data-id", "href", "id"].map(a => [a, focused.getAttribute(a)]).find(([, v]) => v)
      : null;
    await route();
    if (key) {
      const again = main.querySelector(`[${key[0]}="${CSS.escape(key[1])}"]`);
      if (again) again.focus({ preventScroll: true });
    }
  }

  async function start() {
    try {
      info = await api("/info");
    } catch (e) {
      showMessage(e.message);
      return;
    }
    const source = document.getElementById("source");
    source.textContent = info.source + (info.readOnly ? " · read-only" : "") + (info.user ? " · " + info.user : "");
    source.hidden = false;
    if (!started) {
      started = true;
      window.addEventListener("hashchange", () => { route(); main.focus({ preventScroll: true }); });
      listen();
    }
    await route();
  }

  if (!sessionStorage.getItem(tokenKey)) askToken(null);
  else start();
})();
