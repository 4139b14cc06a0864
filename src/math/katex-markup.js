// katex-markup.js -- KaTeX's HTML for a formula, the same bytes as its
// renderToString, written from KaTeX's DOM tree in two thirds of the time.
//
// Usage: const render = require('./katex-markup.js')(katex);
//        render(tex, options)   // as katex.renderToString(tex, options)
//        render.fast            // true when the fast writer is in use
//
// Why: renderToString is katex.__renderToDomTree (parse and lay out) and
// then the tree's toMarkup, which takes nearly as long as the layout on
// folio's bench corpus: it escapes every text with a global regular
// expression and a callback, joins classes with filter and join, and
// hyphenates style names with a regular expression, node by node.  The
// writer here does what each node's toMarkup does, in the same order,
// but tests before it escapes, remembers hyphenated names, and builds
// each element as one string.  By hand, one process on one core, the
// variants taking turns in batches of 100 formulas: the tree alone took
// 48.3 us a formula; renderToString 89.2 us, and 97.8 us with the
// encoding to UTF-8 that the worker adds; the tree, this writer and that
// encoding 80.6 us.
//
// Staying the same: the writer is used only with the KaTeX version it was
// checked against (VERIFIED below; any other version renders with
// renderToString), and a node of a kind it does not know is written by
// the node's own toMarkup.  tests/unit/katex-markup.js compares the two
// byte for byte on the bench corpus and on formulas that reach every kind
// of node; when KaTeX is upgraded, that test says whether VERIFIED may
// follow.
'use strict';

const VERIFIED = '0.19.1';

// The five characters KaTeX's escape replaces, and with what.
const NEEDS_ESCAPE = /[&<>"']/;
const ESCAPABLE = /[&<>"']/g;
const ENTITY = {'&': '&amp;', '>': '&gt;', '<': '&lt;', '"': '&quot;',
  '\'': '&#x27;'};
const entity = (c) => ENTITY[c];

function escape(value) {
  const s = typeof value === 'string' ? value : String(value);
  return NEEDS_ESCAPE.test(s) ? s.replace(ESCAPABLE, entity) : s;
}

// KaTeX's makeEm: a length rounded to 1/10,000 em.
const em = (n) => +n.toFixed(4) + 'em';

// Style names as CSS writes them (marginRight -> margin-right), escaped.
const hyphenated = new Map();
function styleName(key) {
  let name = hyphenated.get(key);
  if (name === undefined) {
    name = escape(key.replace(/([A-Z])/g, '-$1').toLowerCase());
    hyphenated.set(key, name);
  }
  return name;
}

// A class attribute's value: the non-empty classes, space-separated.
function classList(classes) {
  let s = '';
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i];
    if (c) s = s === '' ? c : s + ' ' + c;
  }
  return escape(s);
}

// An inline style: "name:value;" for every property that has a value
// (undefined ones are skipped, as KaTeX skips them), escaped.
function styleText(style) {
  let s = '';
  for (const key of Object.keys(style)) {
    const value = style[key];
    if (value !== undefined) s += styleName(key) + ':' + escape(value) + ';';
  }
  return s;
}

function attributeText(attributes) {
  let s = '';
  for (const name of Object.keys(attributes))
    s += ' ' + name + '="' + escape(attributes[name]) + '"';
  return s;
}

// The kinds of node in a KaTeX tree.  Span, Anchor, SymbolNode, SvgNode
// and LineNode are exported (katex.__domTree); the MathML classes and
// DocumentFragment are known by their class names, which the unminified
// build keeps.  PathNode and Img are left to their own toMarkup (a path
// is one of KaTeX's own tables; an image needs trust, which folio never
// gives).
const SPAN = 1, ANCHOR = 2, SYMBOL = 3, SVG = 4, LINE = 5, MATH = 6,
  TEXT = 7, SPACE = 8, FRAGMENT = 9, OTHER = 0;
const BY_NAME = {MathNode: MATH, TextNode: TEXT, SpaceNode: SPACE,
  DocumentFragment: FRAGMENT};

module.exports = function katexMarkup(katex) {
  const tree = katex.__domTree;
  if (katex.version !== VERIFIED || typeof katex.__renderToDomTree !==
      'function' || !tree) {
    const render = (tex, options) => katex.renderToString(tex, options);
    render.fast = false;
    return render;
  }
  const kinds = new Map([[tree.Span, SPAN], [tree.Anchor, ANCHOR],
    [tree.SymbolNode, SYMBOL], [tree.SvgNode, SVG], [tree.LineNode, LINE]]);
  function kindOf(node) {
    const c = node.constructor;
    let kind = kinds.get(c);
    if (kind === undefined) {
      kind = BY_NAME[c && c.name] || OTHER;
      kinds.set(c, kind);
    }
    return kind;
  }
  // KaTeX refuses an attribute name that HTML would misread.
  const BAD_ATTRIBUTE = /[\s"'>/=\x00-\x1f]/;

  function children(node) {
    let s = '';
    const list = node.children;
    for (let i = 0; i < list.length; i++) s += write(list[i]);
    return s;
  }

  // Span and Anchor (KaTeX's toMarkup in domTree).
  function element(node, tag) {
    let s = '<' + tag;
    if (node.classes.length) s += ' class="' + classList(node.classes) + '"';
    const style = styleText(node.style);
    if (style) s += ' style="' + style + '"';
    for (const name of Object.keys(node.attributes)) {
      if (BAD_ATTRIBUTE.test(name))
        throw new katex.ParseError('Invalid attribute name \'' + name + '\'');
      s += ' ' + name + '="' + escape(node.attributes[name]) + '"';
    }
    return s + '>' + children(node) + '</' + tag + '>';
  }

  // A symbol is bare text unless it has classes or a style (its italic
  // correction becomes a right margin).
  function symbol(node) {
    const style = (node.italic > 0 ? 'margin-right:' + em(node.italic) + ';' :
      '') + styleText(node.style);
    if (!node.classes.length && !style) return escape(node.text);
    return '<span' +
        (node.classes.length ? ' class="' + classList(node.classes) + '"' :
          '') +
        (style ? ' style="' + style + '"' : '') + '>' + escape(node.text) +
        '</span>';
  }

  // MathML elements put their attributes first and spell the class
  // attribute ' class ="', as KaTeX's mathMLTree does.
  function mathElement(node) {
    let s = '<' + node.type + attributeText(node.attributes);
    if (node.classes.length > 0)
      s += ' class ="' + classList(node.classes) + '"';
    return s + '>' + children(node) + '</' + node.type + '>';
  }

  function write(node) {
    switch (kindOf(node)) {
    case SPAN: return element(node, 'span');
    case ANCHOR: return element(node, 'a');
    case SYMBOL: return symbol(node);
    case SVG:
      return '<svg xmlns="http://www.w3.org/2000/svg"' +
          attributeText(node.attributes) + '>' + children(node) + '</svg>';
    case LINE: return '<line' + attributeText(node.attributes) + '/>';
    case MATH: return mathElement(node);
    case TEXT: return escape(node.text);
    case SPACE:
      return node.character ? '<mtext>' + node.character + '</mtext>' :
        '<mspace width="' + em(node.width) + '"/>';
    case FRAGMENT: return children(node);
    default: return node.toMarkup();
    }
  }

  // The writer takes more stack per level of the tree than toMarkup (by
  // hand, x^{x^{...}} nested over about 630 deep ran out of stack in the
  // writer but not in renderToString, up to about 1,100): there, the tree
  // writes itself, so every formula renderToString renders is rendered.
  const render = (tex, options) => {
    const root = katex.__renderToDomTree(tex, options);
    try {
      return write(root);
    } catch (e) {
      if (e instanceof RangeError) return root.toMarkup();
      throw e;
    }
  };
  render.fast = true;
  return render;
};
