// The stub browser a page's inline scripts run against (see src/script/mod.rs). It knows no
// network: it records where the page asks to go instead of going. `__lg_input` (JSON) holds
// the page: its URL, user agent, elements (tag, parent, attributes, short text) and scripts.
// Load-time code and timers within the settle time run; code that waits for a user action
// (onclick, click/touch/submit listeners, jQuery .on('click'), javascript: links, forms) is
// only recorded, and run later one control at a time, to learn where it would go.
(function (G) {
  'use strict';
  var IN = JSON.parse(G.__lg_input);
  delete G.__lg_input;
  var S = {
    navs: [], errors: [], ready: [], timers: [], now: 0, seq: 0, task: 'setup',
    learning: null, delegated: [], written: 0, reloads: 0,
  };
  var USER_EVENTS = /^(click|dblclick|tap|touchstart|touchend|mousedown|mouseup|pointerdown|pointerup|submit)$/;
  // Code that can navigate names one of these; `.replace(` alone is usually a string's.
  var NAV_WORDS = /location|\.href\s*=|\.submit\s*\(|\bopen\s*\(|navigate|refresh|\.click\s*\(|\.assign\s*\(/;

  function couldNavigate(src) { return NAV_WORDS.test(String(src)); }
  function str(v) { return v === undefined || v === null ? '' : String(v); }

  function nav(url, how) {
    url = str(url);
    if (S.learning) {
      if (S.learning.target === null) S.learning.target = { url: url, how: how };
      return;
    }
    S.navs.push({ url: url, how: how, at: S.now, task: S.task });
  }

  // ── URLs ──────────────────────────────────────────────────────────────────────────────
  var URL_RE = /^([a-zA-Z][a-zA-Z0-9+.-]*:)?(?:\/\/([^\/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?$/;
  function parts(href) {
    var m = URL_RE.exec(str(href)) || [];
    var host = m[2] || '';
    var at = host.lastIndexOf('@');
    if (at >= 0) host = host.slice(at + 1);
    var hostname = host.replace(/:\d*$/, '');
    var port = (/:(\d+)$/.exec(host) || [])[1] || '';
    return {
      protocol: (m[1] || '').toLowerCase(), host: host, hostname: hostname, port: port,
      pathname: m[3] || (host ? '/' : ''), search: m[4] && m[4] !== '?' ? m[4] : '',
      hash: m[5] && m[5] !== '#' ? m[5] : '',
    };
  }
  function join(p) {
    return p.protocol + '//' + p.host + p.pathname + p.search + p.hash;
  }
  function resolve(rel, base) {
    rel = str(rel).trim();
    var b = parts(base);
    if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(rel)) return rel;
    if (rel.slice(0, 2) === '//') return b.protocol + rel;
    if (rel === '') return join({ protocol: b.protocol, host: b.host, pathname: b.pathname, search: b.search, hash: '' });
    if (rel[0] === '#') return join({ protocol: b.protocol, host: b.host, pathname: b.pathname, search: b.search, hash: rel });
    if (rel[0] === '?') return b.protocol + '//' + b.host + b.pathname + rel;
    var path = rel[0] === '/' ? rel : b.pathname.replace(/[^\/]*$/, '') + rel;
    var q = path.search(/[?#]/);
    var tail = q >= 0 ? path.slice(q) : '';
    var segs = (q >= 0 ? path.slice(0, q) : path).split('/');
    var out = [];
    for (var i = 0; i < segs.length; i++) {
      if (segs[i] === '..') { if (out.length > 1) out.pop(); } else if (segs[i] !== '.') out.push(segs[i]);
    }
    return b.protocol + '//' + b.host + out.join('/') + tail;
  }
  var BASE = IN.base ? resolve(IN.base, IN.url) : IN.url;

  function SearchParams(init) {
    this._p = [];
    var s = str(init).replace(/^\?/, '');
    if (s) s.split('&').forEach(function (kv) {
      if (!kv) return;
      var i = kv.indexOf('=');
      var k = i < 0 ? kv : kv.slice(0, i), v = i < 0 ? '' : kv.slice(i + 1);
      this._p.push([dec(k), dec(v)]);
    }, this);
  }
  function dec(s) { try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch (e) { return s; } }
  SearchParams.prototype = {
    get: function (k) { for (var i = 0; i < this._p.length; i++) if (this._p[i][0] === k) return this._p[i][1]; return null; },
    getAll: function (k) { return this._p.filter(function (p) { return p[0] === k; }).map(function (p) { return p[1]; }); },
    has: function (k) { return this.get(k) !== null; },
    set: function (k, v) { this.delete(k); this._p.push([k, str(v)]); },
    append: function (k, v) { this._p.push([k, str(v)]); },
    delete: function (k) { this._p = this._p.filter(function (p) { return p[0] !== k; }); },
    forEach: function (f) { this._p.forEach(function (p) { f(p[1], p[0]); }); },
    keys: function () { return this._p.map(function (p) { return p[0]; })[Symbol.iterator](); },
    entries: function () { return this._p.map(function (p) { return [p[0], p[1]]; })[Symbol.iterator](); },
    toString: function () { return this._p.map(function (p) { return encodeURIComponent(p[0]) + '=' + encodeURIComponent(p[1]); }).join('&'); },
  };
  SearchParams.prototype[Symbol.iterator] = SearchParams.prototype.entries;
  function URLStub(rel, base) {
    var href = resolve(rel, base === undefined ? BASE : str(base));
    var p = parts(href);
    if (!p.protocol) throw new TypeError('Invalid URL: ' + rel);
    for (var k in p) this[k] = p[k];
    this.origin = p.protocol + '//' + p.host;
    this.searchParams = new SearchParams(p.search);
  }
  Object.defineProperty(URLStub.prototype, 'href', {
    get: function () { var s = this.searchParams.toString(); return this.protocol + '//' + this.host + this.pathname + (s ? '?' + s : '') + this.hash; },
  });
  URLStub.prototype.toString = function () { return this.href; };
  URLStub.prototype.toJSON = URLStub.prototype.toString;

  // ── location ──────────────────────────────────────────────────────────────────────────
  var here = parts(IN.url);
  var location = {
    replace: function (u) { nav(resolve(u, BASE), 'location.replace'); },
    assign: function (u) { nav(resolve(u, BASE), 'location.assign'); },
    reload: function () { S.reloads++; },
    toString: function () { return IN.url; },
  };
  Object.defineProperty(location, 'href', {
    get: function () { return IN.url; },
    set: function (v) { nav(resolve(v, BASE), 'location.href'); }, enumerable: true,
  });
  Object.defineProperty(location, 'origin', { get: function () { return here.protocol + '//' + here.host; } });
  ['protocol', 'host', 'hostname', 'port', 'pathname', 'search', 'hash'].forEach(function (k) {
    Object.defineProperty(location, k, {
      enumerable: true,
      get: function () { return here[k]; },
      set: function (v) {
        if (k === 'hash') { here.hash = str(v) ? '#' + str(v).replace(/^#/, '') : ''; return; }
        var p = parts(IN.url);
        p[k] = k === 'search' ? (str(v) ? '?' + str(v).replace(/^\?/, '') : '') : str(v);
        nav(join(p), 'location.' + k);
      },
    });
  });
  function locationSetter(how) {
    return { get: function () { return location; }, set: function (v) { nav(resolve(v, BASE), how); }, configurable: false };
  }

  // ── elements ──────────────────────────────────────────────────────────────────────────
  function Node() {}
  var els = [];
  function El(tag, attrs) {
    this.tagName = str(tag).toUpperCase();
    this.nodeName = this.tagName;
    this.localName = str(tag).toLowerCase();
    this.nodeType = 1;
    this._a = attrs || {};
    this._l = {};
    this._on = {};
    this._text = null;
    this.childNodes = [];
    this.parentNode = null;
  }
  // Built on first use: most elements of a big page are never touched by its scripts.
  function lazy(name, make) {
    Object.defineProperty(El.prototype, name, {
      get: function () { var v = make(this); Object.defineProperty(this, name, { value: v, writable: true }); return v; },
      set: function (v) { Object.defineProperty(this, name, { value: v, writable: true }); },
    });
  }
  function camel(s) { return s.replace(/-([a-z])/g, function (_, c) { return c.toUpperCase(); }); }
  function ClassList(el) { this._el = el; }
  ClassList.prototype = {
    _get: function () { return str(this._el._a['class']).split(/\s+/).filter(Boolean); },
    contains: function (c) { return this._get().indexOf(c) >= 0; },
    add: function () { var l = this._get(); for (var i = 0; i < arguments.length; i++) if (l.indexOf(arguments[i]) < 0) l.push(arguments[i]); this._el._a['class'] = l.join(' '); },
    remove: function () { var rm = [].slice.call(arguments); this._el._a['class'] = this._get().filter(function (c) { return rm.indexOf(c) < 0; }).join(' '); },
    toggle: function (c) { if (this.contains(c)) { this.remove(c); return false; } this.add(c); return true; },
  };
  function children(el) { return el.childNodes.filter(function (n) { return n.nodeType === 1; }); }
  function textOf(n) {
    if (n.nodeType === 3) return n.data;
    if (n._text !== null) return n._text;
    return n.childNodes.map(textOf).join('');
  }
  El.prototype = Object.create(Node.prototype);
  var EP = El.prototype;
  lazy('style', function () { return {}; });
  lazy('classList', function (el) { return new ClassList(el); });
  lazy('dataset', function (el) {
    var d = {};
    for (var k in el._a) if (k.slice(0, 5) === 'data-') d[camel(k.slice(5))] = el._a[k];
    return d;
  });
  function attrProp(name, attr) {
    Object.defineProperty(EP, name, {
      get: function () { var v = this._a[attr]; return v === undefined ? '' : v; },
      set: function (v) { this._a[attr] = str(v); },
    });
  }
  attrProp('id', 'id'); attrProp('className', 'class'); attrProp('href', 'href'); attrProp('src', 'src');
  attrProp('name', 'name'); attrProp('title', 'title'); attrProp('type', 'type'); attrProp('action', 'action');
  attrProp('method', 'method'); attrProp('target', 'target'); attrProp('alt', 'alt');
  Object.defineProperty(EP, 'value', {
    get: function () { return this._value !== undefined ? this._value : (this._a.value !== undefined ? this._a.value : ''); },
    set: function (v) { this._value = str(v); },
  });
  Object.defineProperty(EP, 'children', { get: function () { return children(this); } });
  Object.defineProperty(EP, 'firstChild', { get: function () { return this.childNodes[0] || null; } });
  Object.defineProperty(EP, 'lastChild', { get: function () { return this.childNodes[this.childNodes.length - 1] || null; } });
  Object.defineProperty(EP, 'firstElementChild', { get: function () { return children(this)[0] || null; } });
  Object.defineProperty(EP, 'parentElement', { get: function () { return this.parentNode && this.parentNode.nodeType === 1 ? this.parentNode : null; } });
  Object.defineProperty(EP, 'nextElementSibling', { get: function () { return sibling(this, 1); } });
  Object.defineProperty(EP, 'previousElementSibling', { get: function () { return sibling(this, -1); } });
  function sibling(el, d) {
    if (!el.parentNode) return null;
    var l = children(el.parentNode);
    return l[l.indexOf(el) + d] || null;
  }
  ['textContent', 'innerText'].forEach(function (k) {
    Object.defineProperty(EP, k, {
      get: function () { return textOf(this); },
      set: function (v) { this.childNodes = []; this._text = str(v); },
    });
  });
  Object.defineProperty(EP, 'innerHTML', {
    get: function () { return this._html !== undefined ? this._html : textOf(this); },
    set: function (v) { this._html = str(v); this._text = null; this.childNodes = []; parseInto(this, str(v)); },
  });
  Object.defineProperty(EP, 'outerHTML', { get: function () { return '<' + this.localName + '>' + this.innerHTML + '</' + this.localName + '>'; } });
  ['click', 'touchstart', 'touchend', 'tap', 'mousedown', 'mouseup', 'submit', 'load', 'error'].forEach(function (t) {
    Object.defineProperty(EP, 'on' + t, {
      get: function () { return this._on[t] || null; },
      set: function (f) { this._on[t] = typeof f === 'function' ? f : null; },
    });
  });
  EP.getAttribute = function (k) { k = str(k).toLowerCase(); return this._a.hasOwnProperty(k) ? this._a[k] : null; };
  EP.setAttribute = function (k, v) {
    k = str(k).toLowerCase(); this._a[k] = str(v);
    if (k.slice(0, 5) === 'data-' && Object.prototype.hasOwnProperty.call(this, 'dataset')) this.dataset[camel(k.slice(5))] = str(v);
  };
  EP.hasAttribute = function (k) { return this._a.hasOwnProperty(str(k).toLowerCase()); };
  EP.removeAttribute = function (k) { delete this._a[str(k).toLowerCase()]; };
  EP.addEventListener = function (t, f) {
    if (typeof f !== 'function' && !(f && typeof f.handleEvent === 'function')) return;
    (this._l[t] = this._l[t] || []).push(f);
  };
  EP.removeEventListener = function (t, f) { if (this._l[t]) this._l[t] = this._l[t].filter(function (g) { return g !== f; }); };
  EP.appendChild = function (c) { return insert(this, c, null); };
  EP.append = function () { for (var i = 0; i < arguments.length; i++) insert(this, toNode(arguments[i]), null); };
  EP.prepend = function () { for (var i = arguments.length - 1; i >= 0; i--) insert(this, toNode(arguments[i]), this.childNodes[0] || null); };
  EP.insertBefore = function (c, ref) { return insert(this, c, ref); };
  EP.removeChild = function (c) { detach(c); return c; };
  EP.replaceChild = function (n, o) { insert(this, n, o); detach(o); return o; };
  EP.remove = function () { detach(this); };
  EP.cloneNode = function () { var c = new El(this.localName, Object.assign({}, this._a)); c._text = textOf(this); return c; };
  EP.contains = function (o) { for (; o; o = o.parentNode) if (o === this) return true; return false; };
  EP.insertAdjacentHTML = function (where, html) {
    var box = new El('div', {}); parseInto(box, str(html));
    var nodes = box.childNodes.slice();
    var target = /^(beforebegin|afterend)$/i.test(where) ? this.parentNode : this;
    if (!target) return;
    nodes.forEach(function (n) { insert(target, n, /^afterbegin$/i.test(where) ? this.childNodes[0] || null : null); }, this);
  };
  EP.getElementsByTagName = function (t) { return all(this).filter(tagIs(t)); };
  EP.getElementsByClassName = function (c) { var cs = str(c).split(/\s+/).filter(Boolean); return all(this).filter(function (e) { return cs.every(function (x) { return e.classList.contains(x); }); }); };
  EP.querySelectorAll = function (s) { return select(this, s); };
  EP.querySelector = function (s) { return select(this, s)[0] || null; };
  EP.matches = function (s) { return parseSelector(s).some(function (sel) { return matchesComplex(this, sel); }, this); };
  EP.closest = function (s) { for (var e = this; e && e.nodeType === 1; e = e.parentNode) if (e.matches(s)) return e; return null; };
  EP.getBoundingClientRect = function () { return { top: 0, left: 0, right: 0, bottom: 0, width: 0, height: 0, x: 0, y: 0 }; };
  EP.focus = EP.blur = EP.scrollIntoView = function () {};
  EP.offsetWidth = EP.offsetHeight = EP.clientWidth = EP.clientHeight = EP.scrollTop = 0;
  EP.dispatchEvent = function (ev) { dispatch(this, ev && ev.type ? ev.type : str(ev), ev); return true; };
  EP.click = function () { activate(this, 'click'); };
  EP.submit = function () { if (this.localName === 'form') nav(formTarget(this), 'form.submit()'); };
  EP.requestSubmit = EP.submit;
  EP.reset = function () {};
  function tagIs(t) { t = str(t).toLowerCase(); return function (e) { return t === '*' || e.localName === t; }; }
  function toNode(x) { return typeof x === 'object' && x ? x : { nodeType: 3, data: str(x), parentNode: null }; }
  function detach(c) {
    if (c && c.parentNode) { var l = c.parentNode.childNodes; var i = l.indexOf(c); if (i >= 0) l.splice(i, 1); c.parentNode = null; }
  }
  function insert(parent, c, ref) {
    if (!c || typeof c !== 'object') return c;
    if (c.nodeType === 11) { c.childNodes.slice().forEach(function (n) { insert(parent, n, ref); }); return c; }
    detach(c);
    var i = ref ? parent.childNodes.indexOf(ref) : -1;
    if (i < 0) parent.childNodes.push(c); else parent.childNodes.splice(i, 0, c);
    c.parentNode = parent;
    if (parent._text !== null) { parent._text = null; }
    return c;
  }
  function all(root) {
    var out = [];
    (function walk(n) { for (var i = 0; i < n.childNodes.length; i++) { var c = n.childNodes[i]; if (c.nodeType === 1) { out.push(c); walk(c); } } })(root);
    return out;
  }

  // A small HTML reader for what scripts write with innerHTML: tags, attributes, text.
  var VOID = /^(area|base|br|col|embed|hr|img|input|link|meta|source|track|wbr)$/;
  function parseInto(parent, html) {
    var re = /<!--[\s\S]*?-->|<\/?([a-zA-Z][\w-]*)((?:\s+[^\s"'>\/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>|[^<]+|</g;
    var stack = [parent], m;
    while ((m = re.exec(html))) {
      var top = stack[stack.length - 1];
      if (m[0].slice(0, 4) === '<!--') continue;
      if (!m[1]) { insert(top, { nodeType: 3, data: entities(m[0]), parentNode: null }, null); continue; }
      var tag = m[1].toLowerCase();
      if (m[0][1] === '/') {
        for (var i = stack.length - 1; i > 0; i--) if (stack[i].localName === tag) { stack.length = i; break; }
        continue;
      }
      var attrs = {}, am, are = /([^\s"'>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
      while ((am = are.exec(m[2] || ''))) attrs[am[1].toLowerCase()] = entities(am[2] !== undefined ? am[2] : am[3] !== undefined ? am[3] : am[4] !== undefined ? am[4] : '');
      var el = new El(tag, attrs);
      insert(top, el, null);
      if (!VOID.test(tag) && m[0].slice(-2) !== '/>') stack.push(el);
    }
  }
  function entities(s) {
    return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos|nbsp);?/g, function (all, e) {
      if (e[0] === '#') { var n = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10); try { return String.fromCodePoint(n); } catch (x) { return all; } }
      return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' }[e];
    });
  }

  // Selectors: type, #id, .class, [attr], [attr=v] (also ^= $= *= ~=), :first-child, with
  // descendant and child combinators, in comma lists. Enough for what gateway pages select.
  function parseSelector(s) {
    return str(s).split(',').map(function (part) {
      var steps = [], re = /\s*(>|\+|~)?\s*([^\s>+~]+)/g, m;
      while ((m = re.exec(part.trim()))) steps.push({ comb: m[1] || ' ', compound: compound(m[2]) });
      return steps;
    }).filter(function (s) { return s.length; });
  }
  function compound(c) {
    var out = { tag: null, id: null, classes: [], attrs: [] };
    var re = /^([a-zA-Z*][\w-]*)|#([\w-]+)|\.([\w-]+)|\[\s*([\w-]+)\s*(?:([\^$*~|]?=)\s*(?:"([^"]*)"|'([^']*)'|([^\]\s]*)))?\s*\]|:([\w-]+)(?:\([^)]*\))?/g, m;
    while ((m = re.exec(c))) {
      if (m[1]) out.tag = m[1].toLowerCase();
      else if (m[2]) out.id = m[2];
      else if (m[3]) out.classes.push(m[3]);
      else if (m[4]) out.attrs.push({ name: m[4].toLowerCase(), op: m[5], value: m[6] !== undefined ? m[6] : m[7] !== undefined ? m[7] : m[8] });
      if (m[0] === '') re.lastIndex++;
    }
    return out;
  }
  function matchesCompound(e, c) {
    if (!e || e.nodeType !== 1) return false;
    if (c.tag && c.tag !== '*' && e.localName !== c.tag) return false;
    if (c.id && e._a.id !== c.id) return false;
    if (c.classes.length) {
      var cl = e._a['class'];
      if (!cl) return false;
      var cls = ' ' + (/[\t\n\r\f]/.test(cl) ? cl.replace(/\s+/g, ' ') : cl) + ' ';
      for (var i = 0; i < c.classes.length; i++) if (cls.indexOf(' ' + c.classes[i] + ' ') < 0) return false;
    }
    for (i = 0; i < c.attrs.length; i++) {
      var a = c.attrs[i], v = e._a[a.name];
      if (v === undefined) return false;
      if (!a.op) continue;
      if (a.op === '=' && v !== a.value) return false;
      if (a.op === '^=' && v.indexOf(a.value) !== 0) return false;
      if (a.op === '$=' && v.slice(-a.value.length) !== a.value) return false;
      if (a.op === '*=' && v.indexOf(a.value) < 0) return false;
      if (a.op === '~=' && v.split(/\s+/).indexOf(a.value) < 0) return false;
    }
    return true;
  }
  function matchesComplex(e, steps) {
    var i = steps.length - 1;
    if (!matchesCompound(e, steps[i].compound)) return false;
    var cur = e;
    for (; i > 0; i--) {
      var comb = steps[i].comb, want = steps[i - 1].compound;
      if (comb === '>') { cur = cur.parentNode; if (!matchesCompound(cur, want)) return false; }
      else if (comb === '+' || comb === '~') { cur = sibling(cur, -1); if (!matchesCompound(cur, want)) return false; }
      else { do { cur = cur.parentNode; } while (cur && cur.nodeType === 1 && !matchesCompound(cur, want)); if (!cur || cur.nodeType !== 1) return false; }
    }
    return true;
  }
  function select(root, s) {
    var id = /^\s*#([\w-]+)\s*$/.exec(str(s));
    if (id && root === document) { var e = document.getElementById(id[1]); return e ? [e] : []; }
    var sels = parseSelector(s);
    return all(root).filter(function (e) { return sels.some(function (sel) { return matchesComplex(e, sel); }); });
  }

  // ── the document ──────────────────────────────────────────────────────────────────────
  var document = new El('#document', {});
  document.nodeType = 9;
  IN.elements.forEach(function (d) {
    var el = new El(d[0], d[2]);
    if (d[3] !== null && d[3] !== undefined) el._text = d[3];
    el._i = els.length;
    els.push(el);
    var parent = d[1] < 0 ? document : els[d[1]];
    parent.childNodes.push(el);
    el.parentNode = parent;
  });
  // The document's own html, head and body, found as the page is built; a scan otherwise.
  var own = {};
  els.forEach(function (e) { if (/^(html|head|body)$/.test(e.localName) && !own[e.localName]) own[e.localName] = e; });
  function first(tag) {
    var e = own[tag];
    if (e && document.contains(e)) return e;
    return all(document).filter(tagIs(tag))[0] || null;
  }
  // Ids of the page as built, checked on use: scripts may move or replace elements.
  var byId = {};
  els.forEach(function (e) { var id = e._a.id; if (id !== undefined && !byId.hasOwnProperty(id)) byId[id] = e; });
  var cookies = '';
  var docProps = {
    documentElement: { get: function () { return first('html'); } },
    body: { get: function () { return first('body'); } },
    head: { get: function () { return first('head'); } },
    title: { get: function () { var t = first('title'); return t ? textOf(t).trim() : ''; }, set: function (v) { var t = first('title'); if (t) t.textContent = v; } },
    cookie: { get: function () { return cookies; }, set: function (v) { cookies += (cookies ? '; ' : '') + str(v).split(';')[0]; } },
    location: locationSetter('document.location'),
    URL: { get: function () { return IN.url; } },
    documentURI: { get: function () { return IN.url; } },
    referrer: { value: IN.referrer || '' },
    domain: { value: here.hostname, writable: true },
    readyState: { get: function () { return S.task.indexOf('script') === 0 ? 'loading' : 'complete'; } },
    defaultView: { value: G },
    hidden: { value: false },
    visibilityState: { value: 'visible' },
    characterSet: { value: 'UTF-8' },
    forms: { get: function () { return this.getElementsByTagName('form'); } },
    links: { get: function () { return all(this).filter(function (e) { return e.localName === 'a' && e.hasAttribute('href'); }); } },
  };
  Object.defineProperties(document, docProps);
  document.getElementById = function (id) {
    id = str(id);
    var e = byId.hasOwnProperty(id) ? byId[id] : null;
    if (e && e._a.id === id && document.contains(e)) return e;
    return all(document).filter(function (x) { return x._a.id === id; })[0] || null;
  };
  document.getElementsByName = function (n) { return all(document).filter(function (e) { return e._a.name === str(n); }); };
  document.createElement = function (t) { return new El(t, {}); };
  document.createElementNS = function (ns, t) { return new El(t, {}); };
  document.createTextNode = function (t) { return { nodeType: 3, data: str(t), parentNode: null }; };
  document.createDocumentFragment = function () { var f = new El('#fragment', {}); f.nodeType = 11; return f; };
  document.createComment = function () { return { nodeType: 8, data: '', parentNode: null }; };
  document.createEvent = function () { return new EventStub(''); };
  document.write = document.writeln = function (html) { S.written++; var b = first('body') || document; parseInto(b, str(html)); };
  document.open = document.close = function () {};
  document.execCommand = function () { return false; };
  document.hasFocus = function () { return true; };

  // ── events ────────────────────────────────────────────────────────────────────────────
  function EventStub(type, init) {
    this.type = str(type); this.defaultPrevented = false; this.bubbles = !!(init && init.bubbles);
    this.target = null; this.currentTarget = null; this.timeStamp = S.now; this.isTrusted = false;
    this.touches = this.changedTouches = [{ clientX: 0, clientY: 0, pageX: 0, pageY: 0 }];
  }
  EventStub.prototype = {
    preventDefault: function () { this.defaultPrevented = true; },
    stopPropagation: function () {}, stopImmediatePropagation: function () {},
    initEvent: function (t, b) { this.type = str(t); this.bubbles = !!b; },
  };
  function handlersOf(el, type) {
    var out = [];
    if (el._on && el._on[type]) out.push(el._on[type]);
    else if (el._a && el._a['on' + type] && el.nodeType === 1) out.push(attributeHandler(el, el._a['on' + type]));
    if (el._l && el._l[type]) out = out.concat(el._l[type]);
    return out;
  }
  function attributeHandler(el, code) {
    var f = (0, G.Function)('event', code);
    f._source = code;
    return f;
  }
  function call(el, f, ev) {
    if (typeof f === 'function') return f.call(el, ev);
    return f.handleEvent(ev);
  }
  // Runs `type` handlers of `el` and its ancestors (bubbling), then the delegated ones.
  function dispatch(el, type, ev) {
    ev = ev && typeof ev === 'object' ? ev : new EventStub(type);
    if (!ev.preventDefault) ev = Object.assign(new EventStub(type), ev);
    ev.target = ev.target || el;
    for (var cur = el; cur; cur = cur.parentNode || (cur === document ? G : null)) {
      ev.currentTarget = cur;
      var hs = handlersOf(cur, type);
      for (var i = 0; i < hs.length; i++) if (call(cur, hs[i], ev) === false) ev.preventDefault();
      if (cur === G) break;
    }
    S.delegated.forEach(function (d) {
      if (d.type === type && el.nodeType === 1 && el.closest(d.selector)) {
        if (d.fn.call(el.closest(d.selector), ev) === false) ev.preventDefault();
      }
    });
    return ev;
  }
  // A click as the page (or a tap) makes it: handlers, then the default action.
  function activate(el, type) {
    var ev = dispatch(el, type);
    if (ev.defaultPrevented || type !== 'click') return;
    var a = el.closest ? el.closest('a[href]') : null;
    if (a) {
      var href = a._a.href;
      if (/^\s*javascript:/i.test(href)) runJavascriptUrl(href);
      else if (href && href.trim()[0] !== '#') nav(resolve(href, BASE), 'a.href');
      return;
    }
    var form = el.closest ? el.closest('form') : null;
    var submitter = el.localName === 'button' ? (el._a.type || 'submit').toLowerCase() === 'submit'
      : el.localName === 'input' && /^(submit|image)$/i.test(el._a.type || '');
    if (form && submitter) {
      var sev = dispatch(form, 'submit');
      if (!sev.defaultPrevented) nav(formTarget(form), 'form');
    }
  }
  function runJavascriptUrl(href) {
    var code = href.replace(/^\s*javascript:/i, '');
    try { code = decodeURIComponent(code); } catch (e) {}
    (0, eval)(code);
  }
  function formTarget(form) {
    var action = resolve(form._a.action || '', BASE);
    if ((form._a.method || 'get').toLowerCase() === 'post') return action;
    var q = all(form).filter(function (e) {
      return /^(input|select|textarea)$/.test(e.localName) && e._a.name && !/^(submit|button|image|reset)$/i.test(e._a.type || '');
    }).map(function (e) { return encodeURIComponent(e._a.name) + '=' + encodeURIComponent(e.value); }).join('&');
    return action.replace(/[?#].*$/, '') + '?' + q;
  }

  // ── window ────────────────────────────────────────────────────────────────────────────
  var winListeners = {};
  G.window = G.self = G.top = G.parent = G.frames = G;
  Object.defineProperty(G, 'location', locationSetter('window.location'));
  G.document = document;
  G._l = winListeners;
  G._on = {};
  G.addEventListener = function (t, f) { (winListeners[t] = winListeners[t] || []).push(f); };
  G.removeEventListener = function (t, f) { if (winListeners[t]) winListeners[t] = winListeners[t].filter(function (g) { return g !== f; }); };
  G.dispatchEvent = function () { return true; };
  G.navigator = {
    userAgent: IN.ua, appVersion: IN.ua.replace(/^Mozilla\//, ''), appName: 'Netscape', product: 'Gecko',
    platform: /iPhone|iPad/.test(IN.ua) ? 'iPhone' : 'Linux armv8l', language: 'zh-CN', languages: ['zh-CN', 'zh'],
    cookieEnabled: true, onLine: true, vendor: 'Google Inc.', maxTouchPoints: 5, standalone: false,
    sendBeacon: function () { return true; }, vibrate: function () { return false; },
    clipboard: { writeText: function () { return Promise.resolve(); } },
  };
  G.screen = { width: 390, height: 844, availWidth: 390, availHeight: 844, colorDepth: 24 };
  G.innerWidth = 390; G.innerHeight = 844; G.devicePixelRatio = 3; G.scrollX = G.scrollY = G.pageXOffset = G.pageYOffset = 0;
  G.history = { length: 1, state: null, back: function () {}, forward: function () {}, go: function () {}, pushState: function () {}, replaceState: function () {} };
  function Storage() { this._d = {}; }
  Storage.prototype = {
    getItem: function (k) { return this._d.hasOwnProperty(k) ? this._d[k] : null; },
    setItem: function (k, v) { this._d[k] = str(v); }, removeItem: function (k) { delete this._d[k]; },
    clear: function () { this._d = {}; }, key: function (i) { return Object.keys(this._d)[i] || null; },
  };
  G.localStorage = new Storage(); G.sessionStorage = new Storage();
  G.console = { log: function () {}, info: function () {}, warn: function () {}, error: function () {}, debug: function () {} };
  G.alert = function () {};
  G.confirm = function () { return !!S.learning; };
  G.prompt = function () { return null; };
  G.open = function (u) { if (S.learning) nav(resolve(u, BASE), 'window.open'); return null; };
  G.close = G.focus = G.blur = G.scrollTo = G.scrollBy = G.print = G.stop = function () {};
  G.getComputedStyle = function () { return { getPropertyValue: function () { return ''; } }; };
  G.matchMedia = function () { return { matches: false, addListener: function () {}, addEventListener: function () {} }; };
  G.postMessage = function () {};
  G.URL = URLStub; G.URLSearchParams = SearchParams;
  G.Event = G.CustomEvent = G.MouseEvent = G.TouchEvent = EventStub;
  G.Image = function () { return new El('img', {}); };
  G.Node = Node; G.Element = G.HTMLElement = El;
  G.XMLHttpRequest = function () {
    this.readyState = 0; this.status = 0; this.responseText = '';
    this.open = this.send = this.setRequestHeader = this.abort = this.addEventListener = function () {};
  };
  G.fetch = function () { return new Promise(function () {}); };
  G.MutationObserver = G.IntersectionObserver = G.ResizeObserver = function () { this.observe = this.disconnect = this.unobserve = function () {}; };
  G.atob = function (s) {
    var A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', out = '', buf = 0, bits = 0;
    s = str(s).replace(/[\s=]/g, '');
    for (var i = 0; i < s.length; i++) {
      var v = A.indexOf(s[i]); if (v < 0) throw new Error('InvalidCharacterError');
      buf = (buf << 6) | v; bits += 6;
      if (bits >= 8) { bits -= 8; out += String.fromCharCode((buf >> bits) & 255); }
    }
    return out;
  };
  G.btoa = function (s) {
    var A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', out = '';
    s = str(s);
    for (var i = 0; i < s.length; i += 3) {
      var n = (s.charCodeAt(i) << 16) | ((s.charCodeAt(i + 1) || 0) << 8) | (s.charCodeAt(i + 2) || 0);
      out += A[(n >> 18) & 63] + A[(n >> 12) & 63] + (i + 1 < s.length ? A[(n >> 6) & 63] : '=') + (i + 2 < s.length ? A[n & 63] : '=');
    }
    return out;
  };

  // Timers run in due order, only within the settle time; nested ones are queued as they come.
  function addTimer(f, ms, args, repeat) {
    var id = ++S.seq;
    if (typeof f === 'string') { var code = f; f = function () { (0, eval)(code); }; f._source = code; }
    if (typeof f !== 'function') return id;
    ms = Math.max(0, Number(ms) || 0);
    S.timers.push({ id: id, due: S.now + ms, ms: ms, f: f, args: args, repeat: repeat, runs: 0 });
    return id;
  }
  G.setTimeout = function (f, ms) { return addTimer(f, ms, [].slice.call(arguments, 2), false); };
  G.setInterval = function (f, ms) { return addTimer(f, ms, [].slice.call(arguments, 2), true); };
  G.clearTimeout = G.clearInterval = function (id) { S.timers = S.timers.filter(function (t) { return t.id !== id; }); };
  G.requestAnimationFrame = function (f) { return addTimer(function () { f(S.now); }, 16, [], false); };
  G.cancelAnimationFrame = G.clearTimeout;
  G.requestIdleCallback = function (f) { return addTimer(function () { f({ timeRemaining: function () { return 50; }, didTimeout: false }); }, 50, [], false); };
  G.queueMicrotask = function (f) { Promise.resolve().then(f); };

  // ── jQuery / Zepto, as far as pages use it to wait for taps ──────────────────────────
  function Q(items) { this.length = 0; for (var i = 0; i < items.length; i++) this[this.length++] = items[i]; }
  function $(x, ctx) {
    if (typeof x === 'function') { S.ready.push(x); return new Q([document]); }
    if (x instanceof Q) return x;
    if (typeof x === 'string') {
      if (/^\s*</.test(x)) { var box = new El('div', {}); parseInto(box, x); return new Q(children(box)); }
      return new Q(select(ctx && ctx.nodeType ? ctx : document, x));
    }
    if (x && (x.nodeType || x === G)) return new Q([x]);
    if (x && typeof x.length === 'number') return new Q([].slice.call(x));
    return new Q([]);
  }
  var QP = Q.prototype;
  QP.each = function (f) { for (var i = 0; i < this.length; i++) f.call(this[i], i, this[i]); return this; };
  QP.on = QP.bind = QP.live = QP.one = function (types, sel, data, fn) {
    if (typeof sel === 'function') { fn = sel; sel = null; } else if (typeof data === 'function') { fn = data; if (typeof sel !== 'string') sel = null; }
    if (typeof fn !== 'function') return this;
    var q = this;
    str(types).split(/\s+/).forEach(function (t) {
      t = t.split('.')[0];
      if (t === 'ready') { S.ready.push(fn); return; }
      q.each(function () {
        if (sel) S.delegated.push({ type: t, selector: sel, fn: fn });
        else if (this === G) G.addEventListener(t, fn);
        else if (this.addEventListener) this.addEventListener(t, fn);
      });
    });
    return this;
  };
  QP.delegate = function (sel, types, fn) { return this.on(types, sel, fn); };
  QP.off = QP.unbind = function () { return this; };
  ['click', 'tap', 'touchstart', 'touchend', 'submit'].forEach(function (t) {
    QP[t] = function (fn) { if (typeof fn === 'function') return this.on(t, fn); return this.each(function () { if (this.nodeType === 1) activate(this, t); }); };
  });
  QP.trigger = function (t) { return this.each(function () { if (this.nodeType === 1) activate(this, str(t)); }); };
  QP.ready = function (fn) { S.ready.push(fn); return this; };
  QP.attr = function (k, v) { if (v === undefined && typeof k === 'string') return this[0] && this[0].getAttribute ? this[0].getAttribute(k) : undefined; return this.each(function () { if (this.setAttribute) this.setAttribute(k, v); }); };
  QP.prop = function (k, v) { if (v === undefined) return this[0] ? this[0][k] : undefined; return this.each(function () { this[k] = v; }); };
  QP.data = function (k, v) { if (v === undefined) return this[0] && this[0].dataset ? (k === undefined ? this[0].dataset : this[0].dataset[camel(k)]) : undefined; return this.each(function () { if (this.dataset) this.dataset[camel(k)] = v; }); };
  QP.val = function (v) { if (v === undefined) return this[0] ? this[0].value : undefined; return this.each(function () { this.value = v; }); };
  QP.text = function (v) { if (v === undefined) return this[0] ? textOf(this[0]) : ''; return this.each(function () { this.textContent = v; }); };
  QP.html = function (v) { if (v === undefined) return this[0] ? this[0].innerHTML : ''; return this.each(function () { this.innerHTML = v; }); };
  QP.append = function (x) { return this.each(function () { var t = this; (x instanceof Q ? [].slice.call(x) : typeof x === 'string' ? $(x).toArray() : [x]).forEach(function (n) { insert(t, n, null); }); }); };
  QP.appendTo = function (t) { var q = this; $(t).each(function () { q.each(function () { insert(this, this, null); }); }); return this; };
  QP.prepend = QP.append;
  QP.remove = function () { return this.each(function () { detach(this); }); };
  QP.empty = function () { return this.each(function () { this.childNodes = []; this._text = null; }); };
  QP.find = function (s) { var out = []; this.each(function () { if (this.nodeType) out = out.concat(select(this, s)); }); return new Q(out); };
  QP.parent = function () { var out = []; this.each(function () { if (this.parentNode) out.push(this.parentNode); }); return new Q(out); };
  QP.closest = function (s) { var out = []; this.each(function () { var c = this.closest && this.closest(s); if (c) out.push(c); }); return new Q(out); };
  QP.eq = function (i) { return new Q(this[i] ? [this[i]] : []); };
  QP.first = function () { return this.eq(0); };
  QP.last = function () { return this.eq(this.length - 1); };
  QP.get = function (i) { return i === undefined ? this.toArray() : this[i]; };
  QP.toArray = function () { return [].slice.call(this); };
  QP.is = function (s) { return this[0] && this[0].matches ? this[0].matches(s) : false; };
  QP.hasClass = function (c) { return !!(this[0] && this[0].classList && this[0].classList.contains(c)); };
  QP.addClass = function (c) { return this.each(function () { if (this.classList) this.classList.add(c); }); };
  QP.removeClass = function (c) { return this.each(function () { if (this.classList) this.classList.remove(c); }); };
  QP.toggleClass = function (c) { return this.each(function () { if (this.classList) this.classList.toggle(c); }); };
  ['show', 'hide', 'toggle', 'css', 'fadeIn', 'fadeOut', 'slideUp', 'slideDown', 'animate', 'stop', 'focus', 'blur', 'scrollTop'].forEach(function (m) { QP[m] = function () { return this; }; });
  QP.width = QP.height = function () { return 0; };
  $.fn = QP;
  $.each = function (o, f) { if (o && typeof o.length === 'number') { for (var i = 0; i < o.length; i++) if (f.call(o[i], i, o[i]) === false) break; } else for (var k in o) if (f.call(o[k], k, o[k]) === false) break; return o; };
  $.extend = function () { var t = arguments[0] === true ? arguments[1] : arguments[0], start = arguments[0] === true ? 2 : 1; t = t || {}; for (var i = start; i < arguments.length; i++) for (var k in arguments[i]) t[k] = arguments[i][k]; return t; };
  $.trim = function (s) { return str(s).trim(); };
  $.isFunction = function (f) { return typeof f === 'function'; };
  $.isArray = Array.isArray;
  $.inArray = function (v, a) { return a ? a.indexOf(v) : -1; };
  $.noop = function () {};
  $.param = function (o) { return Object.keys(o).map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(o[k]); }).join('&'); };
  $.ajax = $.get = $.post = $.getJSON = $.getScript = function () { var p = new Promise(function () {}); p.done = p.fail = p.always = function () { return p; }; return p; };
  $.support = {};
  $.browser = {};
  $.os = {};
  function installJQuery() { if (G.$ === undefined) G.$ = $; if (G.jQuery === undefined) G.jQuery = $; if (G.Zepto === undefined) G.Zepto = $; }
  installJQuery();

  // ── running ───────────────────────────────────────────────────────────────────────────
  function attempt(task, source, f) {
    S.task = task;
    try { f(); } catch (e) {
      if (e === STOP) return;
      var msg = e && e.message !== undefined ? String(e.name || 'Error') + ': ' + e.message : str(e);
      S.errors.push({ task: task, message: msg.slice(0, 300), could_navigate: couldNavigate(source) });
    }
  }
  var STOP = {};
  function fire(target, type) {
    var hs = target === G ? (winListeners[type] || []).slice() : handlersOf(target, type);
    if (target === G && G['on' + type]) hs.unshift(G['on' + type]);
    hs.forEach(function (h) {
      attempt(type + ' listener', h._source || String(h), function () { call(target, h, new EventStub(type)); });
    });
  }
  var bodyOnload = function () { var b = first('body'); return b && b._a.onload ? attributeHandler(b, b._a.onload) : null; };

  G.__lg = {
    runScript: function (i) {
      var src = IN.scripts[i];
      attempt('script ' + (i + 1), src, function () { (0, eval)(src); });
      installJQuery();
    },
    loaded: function () {
      S.task = 'DOMContentLoaded';
      fire(document, 'DOMContentLoaded');
      fire(G, 'DOMContentLoaded');
      var ready = S.ready; S.ready = [];
      ready.forEach(function (f) { attempt('ready handler', String(f), function () { f.call(document, $); }); });
      fire(document, 'readystatechange');
      fire(G, 'load');
      var b = bodyOnload();
      if (b) attempt('body onload', b._source, function () { b.call(first('body'), new EventStub('load')); });
      fire(G, 'pageshow');
    },
    // Runs the next timer due within the settle time; false when none is left.
    nextTimer: function () {
      S.timers.sort(function (a, b) { return a.due - b.due || a.id - b.id; });
      var t = S.timers[0];
      if (!t || t.due > IN.settle_ms) return false;
      S.timers.shift();
      S.now = t.due;
      attempt('timer (' + t.ms + ' ms)', t.f._source || String(t.f), function () { t.f.apply(G, t.args); });
      if (t.repeat && ++t.runs < 100) { t.due = S.now + Math.max(t.ms, 1); S.timers.push(t); }
      return true;
    },
    navigated: function () { return S.navs.length > 0; },
    // Every control a person could act on, each run once in isolation to learn its target.
    learn: function (limit) {
      var out = [];
      var seen = [];
      function add(el, kind, run, source) {
        if (out.length >= limit) return;
        S.learning = { target: null };
        var error = null;
        try { run(); } catch (e) { if (e !== STOP) error = String(e && e.message !== undefined ? e.message : e).slice(0, 200); }
        var t = S.learning.target;
        S.learning = null;
        out.push({
          element: el._i === undefined ? -1 : el._i, tag: el.localName, id: el._a.id || '', cls: el._a['class'] || '',
          label: (textOf(el) || el._a.value || el._a['aria-label'] || el._a.title || '').replace(/\s+/g, ' ').trim().slice(0, 80),
          kind: kind, target: t ? t.url : null, how: t ? t.how : null, error: error,
          could_navigate: error !== null && couldNavigate(source),
        });
      }
      all(document).forEach(function (el) {
        if (out.length >= limit || seen.indexOf(el) >= 0) return;
        var kinds = [];
        for (var t in el._on) if (el._on[t] && USER_EVENTS.test(t)) kinds.push(['onclick_property', t, el._on[t]]);
        for (var a in el._a) if (/^on/.test(a) && USER_EVENTS.test(a.slice(2)) && !el._on[a.slice(2)]) kinds.push(['onclick_attribute', a.slice(2), el._a[a]]);
        for (var l in el._l) if (USER_EVENTS.test(l)) el._l[l].forEach(function (f) { kinds.push(['listener', l, f]); });
        S.delegated.forEach(function (d) { if (USER_EVENTS.test(d.type) && el.matches(d.selector)) kinds.push(['delegated', d.type, d.fn]); });
        var href = el.localName === 'a' ? el._a.href : undefined;
        if (kinds.length) {
          seen.push(el);
          var src = kinds.map(function (k) { return typeof k[2] === 'string' ? k[2] : String(k[2]); }).join('\n');
          var type = kinds[0][1] === 'submit' ? 'submit' : kinds[0][1];
          add(el, kinds[0][0] + ':' + kinds[0][1], function () { activate(el, type === 'submit' ? 'submit' : kinds.some(function (k) { return k[1] === 'click'; }) ? 'click' : type); if (type !== 'click' && S.learning.target === null && el.localName === 'a' && href && !/^\s*javascript:/i.test(href) && href.trim()[0] !== '#') nav(resolve(href, BASE), 'a.href'); }, src);
        } else if (href !== undefined && /^\s*javascript:/i.test(href)) {
          seen.push(el);
          add(el, 'javascript_href', function () { runJavascriptUrl(href); }, href);
        } else if (href !== undefined && href.trim() && href.trim()[0] !== '#') {
          seen.push(el);
          add(el, 'link', function () { nav(resolve(href, BASE), 'a.href'); }, '');
        } else if (el.localName === 'form') {
          seen.push(el);
          add(el, 'form', function () { var ev = dispatch(el, 'submit'); if (!ev.defaultPrevented && S.learning.target === null) nav(formTarget(el), 'form'); }, '');
        }
      });
      return out;
    },
    result: function () {
      // JD's and Taobao's share pages name their next hop in a variable that code they load
      // from elsewhere navigates to (DOMAIN.md §5): its value, as the page computed it.
      var named = null;
      ['hrl', 'real_jump_address'].some(function (k) {
        var v = Object.getOwnPropertyDescriptor(G, k);
        if (v && typeof v.value === 'string' && v.value) { named = { name: k, url: resolve(v.value, BASE) }; return true; }
        return false;
      });
      return {
        named: named,
        navs: S.navs, errors: S.errors, pending_timers: S.timers.filter(function (t) { return t.due <= IN.settle_ms; }).length,
        written: S.written, reloads: S.reloads,
      };
    },
  };
})(globalThis);
