// Small page behaviours of our own: confirmation before destructive forms, and "back" links.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
document.addEventListener("click", function (event) {
  var link = event.target.closest("[data-back]");
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
// ---- 述职报告 template editor: line numbers beside textarea[data-line-numbers], and the line
// a rendering error names (data-error-line) marked and selected. ----
(function () {
  function numberLines(area) {
    var wrap = document.createElement("div");
    wrap.className = "line-numbered";
    var gutter = document.createElement("pre");
    gutter.className = "line-gutter";
    gutter.setAttribute("aria-hidden", "true");
    area.parentNode.insertBefore(wrap, area);
    wrap.appendChild(gutter);
    wrap.appendChild(area);
    var bad = parseInt(area.getAttribute("data-error-line") || "0", 10);
    var shown = -1;
    function refresh() {
      var count = area.value.split("\n").length;
      if (count !== shown) {
        shown = count;
        gutter.textContent = "";
        for (var i = 1; i <= count; i++) {
          var line = document.createElement("span");
          line.textContent = i + "\n";
          if (i === bad) { line.className = "bad"; }
          gutter.appendChild(line);
        }
      }
      gutter.scrollTop = area.scrollTop;
    }
    area.addEventListener("input", refresh);
    area.addEventListener("scroll", function () { gutter.scrollTop = area.scrollTop; });
    refresh();
    if (bad > 0) {
      var lines = area.value.split("\n");
      var start = 0;
      for (var j = 0; j < bad - 1 && j < lines.length; j++) { start += lines[j].length + 1; }
      var end = start + (lines[bad - 1] || "").length;
      area.focus();
      area.setSelectionRange(start, end);
      var lineHeight = parseFloat(window.getComputedStyle(area).lineHeight) || 20;
      area.scrollTop = Math.max(0, (bad - 5) * lineHeight);
      gutter.scrollTop = area.scrollTop;
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var areas = document.querySelectorAll("textarea[data-line-numbers]");
    for (var i = 0; i < areas.length; i++) { numberLines(areas[i]); }
  });
})();
// ---- end 述职报告 ----
