/* The post length counter: a port of tidings.core.text.post_length, tested against the same
   table (tests/core/text_cases.json). Change both together. */
(function () {
  "use strict";

  var Tidings = (window.Tidings = window.Tidings || {});

  // Kept character for character identical to _URL in text.py.
  var URL_RE = /https?:\/\/[A-Za-z0-9\-._~%\[][A-Za-z0-9\-._~:\/?#\[\]@!$&'()*+,;=%]*/gi;
  var URL_TRAILING = ".,:;!?'";
  var LINK_LENGTH = 10;

  function count(s, ch) {
    return s.split(ch).length - 1;
  }

  // Sentence punctuation and a closing bracket opened before the link are not part of it.
  // Brackets are counted once and kept current, so a long run of ")" stays linear.
  function trimUrl(url) {
    var opened = { ")": count(url, "("), "]": count(url, "[") };
    var closed = { ")": count(url, ")"), "]": count(url, "]") };
    var end = url.length;
    while (end) {
      var last = url.charAt(end - 1);
      if (URL_TRAILING.indexOf(last) >= 0) {
        end -= 1;
      } else if ((last === ")" || last === "]") && opened[last] < closed[last]) {
        closed[last] -= 1;
        end -= 1;
      } else {
        break;
      }
    }
    return url.slice(0, end);
  }

  var segmenter = null;

  function halfUnits(text) {
    if (!text) return 0;
    segmenter = segmenter || new Intl.Segmenter(undefined, { granularity: "grapheme" });
    var units = 0;
    for (var it = segmenter.segment(text)[Symbol.iterator](), step = it.next(); !step.done; step = it.next()) {
      var g = step.value.segment;
      // One ASCII character (or "\r\n", one line break) counts 1/2; any other grapheme 1.
      units += (g.length === 1 && g.charCodeAt(0) < 0x80) || g === "\r\n" ? 1 : 2;
    }
    return units;
  }

  Tidings.postLength = function (text) {
    var units = 0;
    var pos = 0;
    var re = new RegExp(URL_RE.source, URL_RE.flags);
    var m;
    while ((m = re.exec(text)) !== null) {
      var url = trimUrl(m[0]);
      if (url.length > url.indexOf("://") + 3) {
        units += halfUnits(text.slice(pos, m.index)) + 2 * LINK_LENGTH;
        pos = m.index + url.length;
        re.lastIndex = pos;
      }
      // else "https://" alone is text: carry on after it.
    }
    units += halfUnits(text.slice(pos));
    return Math.ceil(units / 2);
  };

  // Shows the characters left in output; past the limit, output gets class "over" and the
  // textarea aria-invalid. Counts the text as the server will keep it (surrounding space trimmed).
  Tidings.attachCounter = function (textarea, output, max) {
    function update() {
      var left = max - Tidings.postLength(textarea.value.trim());
      var over = left < 0;
      output.textContent = String(left);
      output.classList.toggle("over", over);
      if (over) {
        textarea.setAttribute("aria-invalid", "true");
      } else {
        textarea.removeAttribute("aria-invalid");
      }
    }
    textarea.addEventListener("input", update);
    update();
    return update;
  };
})();
