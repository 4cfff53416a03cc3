// policykg graph page: hovers, search, filters, neighbourhood highlight, side panel.
// Runs after pyvis's drawGraph(), which defines the globals `network`, `nodes`, `edges`.
// Every string from a document reaches the DOM through textContent, createTextNode or
// new Option(): this script never parses text as HTML. Links are built only from hrefs the
// page's JSON data holds (relative paths to document pages written by policykg build).
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("pkg-data").textContent);
  var MAX_RESULTS = 50;
  var MAX_MENTIONS = 100;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function row(item, key) {
    var rows = item.hover || [];
    for (var i = 0; i < rows.length; i++) {
      if (rows[i][0] === key) { return String(rows[i][1]); }
    }
    return "";
  }

  // --- hover tooltips: DOM elements made of text nodes -------------------------------------
  function tooltip(rows) {
    var box = document.createElement("div");
    box.className = "pkg-tip";
    rows.forEach(function (r) {
      var line = document.createElement("div");
      var key = document.createElement("b");
      key.textContent = String(r[0]) + ": ";
      line.appendChild(key);
      line.appendChild(document.createTextNode(String(r[1])));
      box.appendChild(line);
    });
    return box;
  }
  function attachTooltip(dataSet, id) {
    var item = dataSet.get(id);
    if (item && !item.title && Array.isArray(item.hover)) {
      dataSet.update({id: id, title: tooltip(item.hover)});
    }
  }
  // Built when first hovered: a page of thousands of items starts without building them all.
  network.on("hoverNode", function (params) { attachTooltip(nodes, params.node); });
  network.on("hoverEdge", function (params) { attachTooltip(edges, params.edge); });

  // --- state ---------------------------------------------------------------------------------
  var nodeInfo = {};  // id -> {color, text (lower-case label and aliases), label, type}
  nodes.forEach(function (n) {
    var label = row(n, "名称 Label") || String(n.label || n.id);
    nodeInfo[n.id] = {
      color: n.color,
      label: label,
      type: String(n.type || ""),
      text: (label + "\n" + row(n, "别名 Aliases")).toLowerCase()
    };
  });
  var typeOff = {};

  var search = document.getElementById("pkg-search");
  var docSelect = document.getElementById("pkg-doc");
  var results = document.getElementById("pkg-results");
  var visibleCount = document.getElementById("pkg-visible");
  var panel = document.getElementById("pkg-panel");

  DATA.docs.forEach(function (doc, index) {
    docSelect.appendChild(new Option(doc.name, String(index)));
  });

  // --- filters: search, type (legend), document ---------------------------------------------
  function applyFilters() {
    var query = search.value.trim().toLowerCase();
    var doc = docSelect.value === "" ? -1 : Number(docSelect.value);
    var visible = {};
    var nodeUpdates = [];
    var matches = [];
    var shown = 0;
    nodes.forEach(function (n) {
      var info = nodeInfo[n.id];
      var show = !typeOff[info.type] &&
        (doc < 0 || (n.docs || []).indexOf(doc) >= 0) &&
        (query === "" || info.text.indexOf(query) >= 0);
      visible[n.id] = show;
      if (show) {
        shown += 1;
        if (query !== "") { matches.push(n.id); }
      }
      if (Boolean(n.hidden) === show) { nodeUpdates.push({id: n.id, hidden: !show}); }
    });
    // vis-network leaves out the edges of hidden nodes itself.
    if (nodeUpdates.length) { nodes.update(nodeUpdates); }
    visibleCount.textContent = "显示 showing " + shown + " / " + nodes.length;
    showResults(query, matches);
  }

  function showResults(query, matches) {
    while (results.firstChild) { results.removeChild(results.firstChild); }
    if (query === "") { results.hidden = true; return; }
    results.hidden = false;
    matches.sort(function (a, b) {
      return nodeInfo[a].label.length - nodeInfo[b].label.length ||
        (nodeInfo[a].label < nodeInfo[b].label ? -1 : 1);
    });
    results.appendChild(el("li", "pkg-count", matches.length + " 个结果 matches"));
    matches.slice(0, MAX_RESULTS).forEach(function (id) {
      var li = el("li");
      li.appendChild(nodeButton(id));
      results.appendChild(li);
    });
  }

  var searchTimer = null;
  search.addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(applyFilters, nodes.length > 500 ? 150 : 0);
  });
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      clearTimeout(searchTimer);
      applyFilters();
      var first = results.querySelector("button");
      if (first) { first.click(); }
    }
  });
  docSelect.addEventListener("change", applyFilters);
  Array.prototype.forEach.call(document.querySelectorAll("#pkg-legend .pkg-item"), function (b) {
    b.addEventListener("click", function () {
      var type = b.getAttribute("data-type");
      typeOff[type] = !typeOff[type];
      b.setAttribute("aria-pressed", typeOff[type] ? "false" : "true");
      applyFilters();
    });
  });
  document.getElementById("pkg-reset").addEventListener("click", function () {
    search.value = "";
    docSelect.value = "";
    typeOff = {};
    Array.prototype.forEach.call(document.querySelectorAll("#pkg-legend .pkg-item"), function (b) {
      b.setAttribute("aria-pressed", "true");
    });
    applyFilters();
    select(null);
    network.fit();
  });

  // --- neighbourhood highlight ---------------------------------------------------------------
  // Drawn over vis-network's frame instead of recolouring thousands of items (a DataSet update
  // of every node and edge takes seconds at 2,000 nodes): after each frame a white veil covers
  // the graph and the selected node, its neighbours and the links between them are drawn again
  // on top of it, with vis-network 9.1.2's own node and edge painters.
  var focus = null;  // {nodes: [ids], edges: [ids]} while a node is selected
  var container = document.getElementById("mynetwork");

  function highlight(id) {
    if (id === null) {
      focus = null;
      container.removeAttribute("data-pkg-focus");
    } else {
      focus = {nodes: [id].concat(network.getConnectedNodes(id)),
               edges: network.getConnectedEdges(id)};
      container.setAttribute("data-pkg-focus", String(focus.nodes.length));
    }
    if (network.body && network.body.emitter) {
      network.body.emitter.emit("_requestRedraw");  // the next animation frame, once
    } else {
      network.redraw();
    }
  }

  network.on("afterDrawing", function (ctx) {
    if (focus === null || !network.body) { return; }
    var canvas = container.querySelector("canvas");
    var a = network.DOMtoCanvas({x: 0, y: 0});
    var b = network.DOMtoCanvas({x: canvas.clientWidth, y: canvas.clientHeight});
    ctx.save();
    ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
    ctx.fillRect(a.x, a.y, b.x - a.x, b.y - a.y);
    ctx.restore();
    var all = network.body.nodes;
    focus.edges.forEach(function (edgeId) {
      var e = network.body.edges[edgeId];
      if (e && e.connected && all[e.fromId] && all[e.toId] &&
          !all[e.fromId].options.hidden && !all[e.toId].options.hidden) {
        e.draw(ctx);
        e.drawArrows(ctx);
      }
    });
    var labels = [];
    focus.nodes.forEach(function (nodeId) {
      var n = all[nodeId];
      if (n && !n.options.hidden) {
        var drawn = n.draw(ctx);
        if (drawn && drawn.drawExternalLabel) { labels.push(drawn.drawExternalLabel); }
      }
    });
    labels.forEach(function (draw) { draw(); });
  });

  // --- side panel ------------------------------------------------------------------------------
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function nodeButton(id) {
    var info = nodeInfo[id];
    var button = el("button", "pkg-node");
    button.type = "button";
    var swatch = el("span", "pkg-swatch");
    swatch.style.backgroundColor = info.color;
    button.appendChild(swatch);
    button.appendChild(document.createTextNode(info.label));
    button.title = info.type;
    button.addEventListener("click", function () { select(id, true); });
    return button;
  }

  function docLink(index, anchor, text) {
    var doc = DATA.docs[index];
    if (!doc || !doc.href) { return el("span", "pkg-doc-name", text); }
    var link = el("a", "pkg-doc-name", text);
    link.setAttribute("href", doc.href + (anchor ? "#" + anchor : ""));
    return link;
  }

  function field(list, key, value) {
    list.appendChild(el("dt", null, key));
    var dd = el("dd");
    if (value instanceof Node) { dd.appendChild(value); } else { dd.textContent = value; }
    list.appendChild(dd);
  }

  function showNode(id) {
    var n = nodes.get(id);
    var info = nodeInfo[id];
    clear(panel);
    var title = el("h2");
    var swatch = el("span", "pkg-swatch");
    swatch.style.backgroundColor = info.color;
    title.appendChild(swatch);
    title.appendChild(document.createTextNode(info.label));
    panel.appendChild(title);
    var list = el("dl");
    (n.hover || []).forEach(function (r) {
      if (r[0] !== "文档 Documents") { field(list, r[0], r[1]); }
    });
    if ((n.docs || []).length) {
      var docs = el("span");
      n.docs.forEach(function (index, i) {
        if (i) { docs.appendChild(document.createTextNode("; ")); }
        docs.appendChild(docLink(index, "", DATA.docs[index].name));
      });
      field(list, "文档 Documents", docs);
    }
    panel.appendChild(list);

    var mentions = DATA.mentions[id] || [];
    panel.appendChild(el("h3", null, "提及 Mentions (" + mentions.length + ")"));
    var ul = el("ul", "pkg-mentions");
    mentions.slice(0, MAX_MENTIONS).forEach(function (m) {
      var li = el("li");
      li.appendChild(docLink(m[0], m[4], DATA.docs[m[0]].name));
      var quote = el("div", "pkg-sentence");
      quote.appendChild(document.createTextNode(m[1]));
      quote.appendChild(el("mark", null, m[2]));
      quote.appendChild(document.createTextNode(m[3]));
      li.appendChild(quote);
      ul.appendChild(li);
    });
    if (mentions.length > MAX_MENTIONS) {
      ul.appendChild(el("li", "pkg-more", "… " + (mentions.length - MAX_MENTIONS) + " more"));
    }
    panel.appendChild(ul);

    var out = [];
    var into = [];
    network.getConnectedEdges(id).forEach(function (edgeId) {
      var e = edges.get(edgeId);
      if (!e || e.relation === "mentionedIn") { return; }
      if (e.from === id) { out.push(e); }
      if (e.to === id) { into.push(e); }
    });
    relationList("关系（出）Relations out", out, "to");
    relationList("关系（入）Relations in", into, "from");
  }

  function relationList(heading, list, end) {
    panel.appendChild(el("h3", null, heading + " (" + list.length + ")"));
    var ul = el("ul", "pkg-relations");
    list.forEach(function (e) {
      var li = el("li");
      li.appendChild(el("span", "pkg-relation", row(e, "关系 Relation")));
      li.appendChild(document.createTextNode(end === "to" ? " → " : " ← "));
      li.appendChild(nodeButton(e[end]));
      var evidence = row(e, "证据 Evidence");
      if (evidence) { li.appendChild(el("div", "pkg-evidence", evidence)); }
      var source = el("div", "pkg-source", row(e, "规则 Rule") + " · ");
      source.appendChild(docLink(docIndex(row(e, "文档 Document")), "", row(e, "文档 Document")));
      li.appendChild(source);
      ul.appendChild(li);
    });
    panel.appendChild(ul);
  }

  function docIndex(name) {
    for (var i = 0; i < DATA.docs.length; i++) {
      if (DATA.docs[i].name === name) { return i; }
    }
    return -1;
  }

  function showEdge(edgeId) {
    var e = edges.get(edgeId);
    clear(panel);
    panel.appendChild(el("h2", null, row(e, "关系 Relation")));
    var list = el("dl");
    field(list, "从 From", nodeButton(e.from));
    field(list, "到 To", nodeButton(e.to));
    var evidence = row(e, "证据 Evidence");
    if (evidence) { field(list, "证据 Evidence", evidence); }
    var name = row(e, "文档 Document");
    if (name) { field(list, "文档 Document", docLink(docIndex(name), "", name)); }
    field(list, "规则 Rule", row(e, "规则 Rule"));
    panel.appendChild(list);
  }

  function showHint() {
    clear(panel);
    panel.appendChild(el("p", "pkg-hint", "点击节点或关系查看详情。click a node or an edge for " +
      "its mentions, relations and evidence."));
  }

  function select(id, focus) {
    highlight(id);
    if (id === null || !nodeInfo[id]) {
      network.unselectAll();
      showHint();
      return;
    }
    network.selectNodes([id]);
    showNode(id);
    if (focus) {  // the node and its neighbours in view, not closer than 1.5
      network.fit({nodes: [id].concat(network.getConnectedNodes(id))});
      if (network.getScale() > 1.5) {
        network.moveTo({position: network.getPosition(id), scale: 1.5});
      }
    }
  }

  network.on("click", function (params) {
    if (params.nodes.length) {
      select(params.nodes[0], false);
    } else if (params.edges.length) {
      select(null);
      showEdge(params.edges[0]);
    } else {
      select(null);
    }
  });

  function fromHash() {
    var id = "";
    try { id = decodeURIComponent(window.location.hash.slice(1)); } catch (err) { id = ""; }
    if (id && nodeInfo[id]) { select(id, true); }
  }
  window.addEventListener("hashchange", fromHash);

  applyFilters();
  showHint();
  fromHash();
  network.once("afterDrawing", function () {
    document.documentElement.setAttribute("data-pkg-ready", String(performance.now()));
  });
  network.redraw();
})();
