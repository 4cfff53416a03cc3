// policykg graph page: hovers, search, filters, neighbourhood highlight, side panel.
// Runs after pyvis's drawGraph(), which defines the globals `network`, `nodes`, `edges`.
// Above its node budget the network draws only the most connected nodes; DATA.index then
// holds every other entity and its relations, so that search finds it and a click adds it
// (with its links to drawn nodes) to the network and shows its panel.
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
  // id -> {color, text (lower-case label and aliases), label, type, drawn (in the network)}
  var nodeInfo = {};
  nodes.forEach(function (n) {
    var label = row(n, "名称 Label") || String(n.label || n.id);
    nodeInfo[n.id] = {
      color: n.color,
      label: label,
      type: String(n.type || ""),
      text: (label + "\n" + row(n, "别名 Aliases")).toLowerCase(),
      drawn: true
    };
  });
  // The entities the network leaves out (DATA.index, see output/html.py's _hidden_index).
  var INDEX = DATA.index || null;
  var offGraph = [];  // their ids, in index order
  var refs = [];      // a relation end's number -> node id
  var relsOf = {};    // node id -> numbers of its relations in INDEX.rels
  if (INDEX) {
    INDEX.nodes.forEach(function (r, k) {
      var type = INDEX.types[r[3]];
      nodeInfo[r[0]] = {
        color: type[2],
        label: r[1],
        type: type[0],
        text: (r[1] + "\n" + r[2]).toLowerCase(),
        drawn: false,
        index: k
      };
      offGraph.push(r[0]);
    });
    refs = offGraph.concat(INDEX.shown);
    INDEX.rels.forEach(function (e, k) {
      var head = refs[e[0]];
      var tail = refs[e[1]];
      (relsOf[head] = relsOf[head] || []).push(k);
      if (tail !== head) { (relsOf[tail] = relsOf[tail] || []).push(k); }
    });
  }
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
    if (query !== "") {  // entities not drawn are found all the same
      offGraph.forEach(function (id) {
        var info = nodeInfo[id];
        if (!info.drawn && !typeOff[info.type] && info.text.indexOf(query) >= 0 &&
            (doc < 0 || INDEX.nodes[info.index][4].indexOf(doc) >= 0)) {
          matches.push(id);
        }
      });
    }
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
    searchTimer = setTimeout(applyFilters, nodes.length + offGraph.length > 500 ? 150 : 0);
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
    var button = el("button", info.drawn ? "pkg-node" : "pkg-node pkg-off");
    button.type = "button";
    var swatch = el("span", "pkg-swatch");
    swatch.style.backgroundColor = info.color;
    button.appendChild(swatch);
    button.appendChild(document.createTextNode(info.label));
    button.title = info.drawn ? info.type : info.type + " · 未绘出，点击加入 not drawn: click to add";
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
    var total = (DATA.mention_totals || {})[id] || mentions.length;  // the page holds <= 100
    panel.appendChild(el("h3", null, "提及 Mentions (" + total + ")"));
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
    if (total > MAX_MENTIONS) {
      ul.appendChild(el("li", "pkg-more", "… " + (total - MAX_MENTIONS) + " more"));
    }
    panel.appendChild(ul);

    var out = [];
    var into = [];
    network.getConnectedEdges(id).forEach(function (edgeId) {
      var e = edges.get(edgeId);
      if (!e || e.relation === "mentionedIn" || e.indexRow !== undefined) { return; }
      if (e.from === id) { out.push(e); }
      if (e.to === id) { into.push(e); }
    });
    (relsOf[id] || []).forEach(function (k) {  // relations with an end not drawn at first
      var e = indexEdge(k);
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

  // --- entities not drawn: their relations as edges, the node added on demand -------------
  function indexEdge(k) {  // relation k of INDEX.rels as the vis edge render_html would make
    var r = INDEX.rels[k];
    var from = refs[r[0]];
    var to = refs[r[1]];
    var relation = INDEX.relations[r[2]];
    var name = typeof r[4] === "number" ? DATA.docs[r[4]].name : String(r[4]);
    var hover = [["关系 Relation", relation[1]], ["从 From", nodeInfo[from].label],
                 ["到 To", nodeInfo[to].label]];
    if (r[3]) { hover.push(["证据 Evidence", r[3]]); }
    if (name) { hover.push(["文档 Document", name]); }
    if (INDEX.rules[r[5]]) { hover.push(["规则 Rule", INDEX.rules[r[5]]]); }
    return {id: "i" + k, from: from, to: to, arrows: "to", relation: relation[0],
            color: INDEX.edge_color, dashes: false, hover: hover, indexRow: k};
  }

  var added = 0;
  function addToNetwork(id) {  // an entity not drawn, with its relations to drawn nodes
    var info = nodeInfo[id];
    var r = INDEX.nodes[info.index];
    var type = INDEX.types[r[3]];
    var rows = relsOf[id] || [];
    var anchor = null;
    var links = [];
    rows.forEach(function (k) {
      var e = indexEdge(k);
      var other = e.from === id ? e.to : e.from;
      if (other !== id && !nodeInfo[other].drawn) { return; }
      if (anchor === null && other !== id) { anchor = other; }
      links.push(e);
    });
    var chars = Array.from(r[1]);
    var hover = [["类型 Type", type[1]], ["名称 Label", r[1]]];
    if (r[2]) { hover.push(["别名 Aliases", r[2]]); }
    if (r[4].length) {
      hover.push(["文档 Documents", r[4].map(function (i) { return DATA.docs[i].name; }).join("; ")]);
    }
    hover.push(["IRI", id]);
    var at = anchor === null ? network.getViewPosition() : network.getPosition(anchor);
    added += 1;
    var angle = added * 2.39996;  // the golden angle: successive nodes do not overlap
    nodes.add({
      id: id,
      label: chars.length > INDEX.label_max ?
        chars.slice(0, INDEX.label_max - 1).join("") + "…" : r[1],
      type: type[0],
      shape: type[3],
      size: Math.min(30, Math.round(10 * (10 + 2 * Math.sqrt(rows.length + r[4].length))) / 10),
      color: type[2],
      x: Math.round(at.x + 80 * Math.cos(angle)),
      y: Math.round(at.y + 80 * Math.sin(angle)),
      hover: hover,
      docs: r[4]
    });
    info.drawn = true;
    edges.add(links);
  }

  function select(id, focus) {
    if (id !== null && nodeInfo[id] && !nodeInfo[id].drawn) { addToNetwork(id); }
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
