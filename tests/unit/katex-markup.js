#!/usr/bin/env node
// katex-markup.js (test) -- src/math/katex-markup.js writes the same bytes
// as KaTeX's renderToString: on the bench corpus, and on formulas that
// reach every kind of node in KaTeX's tree (checked here by walking the
// trees), in both display modes, with macros and with trust on (links,
// classes, images).  Errors are KaTeX's own.  A node of an unknown kind is
// written by its own toMarkup, and a KaTeX version other than the one the
// writer was checked against renders with renderToString.
// Runs from the repository root (tests/run-unit.sh runs it with the
// cmocka binaries); exits 1 with the first differences.
'use strict';
const assert = require('assert');
const path = require('path');
const {execFileSync} = require('child_process');
const katex = require(path.resolve('node_modules/katex'));
const katexMarkup = require(path.resolve('src/math/katex-markup.js'));

const render = katexMarkup(katex);
let failures = 0, compared = 0;
function check(name, fn) {
  try {
    fn();
  } catch (e) {
    failures++;
    console.error('FAILED: katex-markup: ' + name + '\n' + e.message);
  }
}

const corpus = execFileSync('node', ['tests/bench/math-corpus.js', '2400'],
    {encoding: 'utf8'}).split('\n').filter((l) => l);

// Formulas meant to reach what the corpus does not: escaped characters in
// text and attributes, characters outside the BMP, spaces that are text
// and spaces that are mspace, SVG (paths and lines), italic corrections,
// colours, boxes, rules, tags, arrays with rules, tall delimiters, sizes.
const extra = [
  '\\text{<a href="x">&\'}', '\\verb|<&>"\'|', '\\mathrm{a<b}>c',
  '\\text{\u{1F600}} \u{1D538} x',
  '\\sqrt[3]{x} \\sqrt{\\frac{\\frac{a}{b}}{\\frac{c}{d}}}',
  '\\overbrace{a+b}^{n} \\underbrace{x}_{y} \\widehat{abc} \\widetilde{xyz}',
  '\\xrightarrow[a]{f} \\xleftarrow{g} \\overrightarrow{AB}',
  '\\cancel{x} \\bcancel{y} \\xcancel{z} \\sout{abc}',
  'a\\kern3mu b\\hspace{1em}c\\,d\\;e\\!f\\quad g\\qquad h\\:i\\mkern-2mu j',
  '\\mathit{f} f V W \\mathnormal{f}',
  '\\colorbox{red}{x} \\textcolor{#f00}{y} ' +
      '\\fcolorbox{blue}{yellow}{z} \\color{green} w',
  '\\fbox{z} \\boxed{w} \\rule{1em}{2em} \\rule[-1ex]{2pt}{1ex}',
  '\\tag{1} x = y',
  '\\begin{array}{c|c} a & b \\\\ \\hline c & d \\end{array}',
  '\\begin{aligned} a &= b \\\\ &= c \\end{aligned}',
  '\\left\\{ \\frac{a}{b} \\right. \\big( \\Big[ \\bigg\\{ \\Bigg\\langle ' +
      '\\left\\lvert\\begin{matrix}a\\\\b\\\\c\\\\d\\end{matrix}\\right\\rvert',
  '\\operatorname{sn} x \\not= \\neq \\phantom{x}\\vphantom{y}\\hphantom{z}',
  '\\TeX \\LaTeX \\stackrel{a}{=} \\overset{b}{\\to} \\underset{c}{\\leftarrow}',
  '\\overline{x} \\underline{y} \\vec{v} \\dot{x} \\tilde{x} \\hat{\\imath}',
  '\\smash{x} \\raisebox{1em}{x} \\mathclap{x} \\llap{x} \\rlap{y}',
  '\\huge x \\scriptstyle y \\tiny z \\binom{n}{k} \\cfrac{1}{1+\\cfrac{1}{x}}',
  '\\genfrac(]{1pt}{2}{a}{b} \\pmod{n} \\lim_{x\\to 0} \\int\\limits_0^1 \\oiint \\oiiint_V',
  '\\angl{n} \\phase{-78^\\circ} \\mathbb{R} \\mathcal{L} \\mathfrak{g} \\mathscr{S}',
  '\\char"41 \\mathchoice{a}{b}{c}{d} \\sf x \\tt y \\bf z \\it w',
  '\\begin{CD} A @>a>> B \\\\ @VbVV @AAcA \\\\ C @= D \\end{CD}',
  '\\ce{H2O}', '\\R \\foo{x}{y}', '\\def\\g#1{#1^2} \\g{z} \\gdef\\h{q} \\h',
];
// With trust on: links, classes, styles, data and images (folio never
// turns trust on; the writer must still match where it meets them).
const trusted = [
  '\\href{https://x.org/?a=1&b="2"}{link} \\url{https://y.org/<z>}',
  '\\htmlClass{c "q"}{x} \\htmlId{i}{y} \\htmlStyle{color: red;}{z} ' +
      '\\htmlData{foo=bar, n=1}{w}',
  '\\includegraphics[height=1em, alt=a "b"]{a.png}',
];
const macros = {'\\R': '\\mathbb{R}', '\\foo': '\\frac{#1}{#2}'};

function options(display, trust) {
  return {displayMode: display, output: 'htmlAndMathml', throwOnError: true,
    strict: 'ignore', trust, macros: Object.assign({}, macros)};
}

// renderToString and the writer answer alike: the same string, or an
// error of the same class with the same message.
function same(tex, display, trust) {
  let want, got, wantError = null, gotError = null;
  try {
    want = katex.renderToString(tex, options(display, trust));
  } catch (e) {
    wantError = e;
  }
  try {
    got = render(tex, options(display, trust));
  } catch (e) {
    gotError = e;
  }
  compared++;
  if (wantError || gotError) {
    assert.ok(wantError && gotError, (display ? '$$' : '$') + tex + ': ' +
        (wantError ? 'only renderToString threw: ' + wantError.message :
          'only the writer threw: ' + gotError.message));
    assert.strictEqual(gotError.constructor, wantError.constructor);
    assert.strictEqual(gotError.message, wantError.message);
    return;
  }
  if (got !== want) {
    let at = 0;
    while (got[at] === want[at]) at++;
    assert.fail((display ? '$$' : '$') + tex + ': differs at ' + at +
        '\n  renderToString: ' + JSON.stringify(want.slice(at - 40, at + 60)) +
        '\n  the writer:     ' + JSON.stringify(got.slice(at - 40, at + 60)));
  }
}

// The classes of every node in the trees of some formulas, by name.
function kindsReached(list, trust) {
  const seen = new Map();
  const walk = (node) => {
    seen.set(node.constructor.name, node.constructor);
    for (const child of node.children || []) walk(child);
  };
  for (const tex of list) {
    for (const display of [false, true]) {
      try {
        walk(katex.__renderToDomTree(tex, options(display, trust)));
      } catch (e) {
        // an error has no tree
      }
    }
  }
  return seen;
}

check('the writer is in use with the installed KaTeX ' + katex.version,
    () => assert.strictEqual(render.fast, true, 'render.fast is false: ' +
      'KaTeX was upgraded; if this test passes otherwise, set VERIFIED in ' +
      'src/math/katex-markup.js to the new version'));

check('the bench corpus, inline and display', () => {
  for (const tex of corpus) {
    same(tex, false, false);
    same(tex, true, false);
  }
});

check('formulas reaching every kind of node', () => {
  for (const tex of extra) {
    same(tex, false, false);
    same(tex, true, false);
  }
  for (const tex of trusted) {
    same(tex, false, true);
    same(tex, true, true);
  }
  const seen = kindsReached(corpus.concat(extra), false);
  for (const [name, kind] of kindsReached(trusted, true)) seen.set(name, kind);
  for (const kind of ['Span', 'Anchor', 'Img', 'SymbolNode', 'SvgNode',
    'PathNode', 'LineNode', 'MathNode', 'TextNode', 'SpaceNode',
    'DocumentFragment'])
    assert.ok(seen.has(kind), 'no formula reaches a ' + kind);
});

// Nodes built by hand, with what no formula gives them (a MathML element
// with classes, an escapable character in every class, style, attribute
// and text, a style left undefined, an empty class): each is written as
// its own toMarkup writes it.
check('every kind of node, built by hand', () => {
  const kind = kindsReached(extra, false);
  for (const [name, k] of kindsReached(trusted, true)) kind.set(name, k);
  const odd = 'a&b<c>"d\'e';
  const span = new (kind.get('Span'))(['x', '', odd], [], undefined,
      {marginRight: odd, height: undefined, borderBottomWidth: '1em'});
  span.setAttribute('data-' + 'q', odd);
  const anchor = new (kind.get('Anchor'))(odd, [odd], [span]);
  const symbol = new (kind.get('SymbolNode'))(odd, 0, 0, 0.25, 0, 0,
      ['s', odd], {color: odd});
  const bare = new (kind.get('SymbolNode'))(odd);
  const line = new (kind.get('LineNode'))({x1: odd, y2: '1'});
  const svg = new (kind.get('SvgNode'))([line], {width: odd});
  const text = new (kind.get('TextNode'))(odd);
  const math = new (kind.get('MathNode'))('mi', [text], ['m', '', odd]);
  math.setAttribute('mathvariant', odd);
  const spaces = [0.1667, 0.5, -0.2778].map(
      (w) => new (kind.get('SpaceNode'))(w));
  const fragment = new (kind.get('DocumentFragment'))([math].concat(spaces));
  const root = new (kind.get('Span'))(['katex'],
      [anchor, symbol, bare, svg, fragment]);
  const writer = katexMarkup(Object.assign({}, katex,
      {__renderToDomTree: () => root}));
  assert.strictEqual(writer('x', {}), root.toMarkup());
});

// Nesting deep enough to exhaust the stack in the writer but not in
// renderToString (by hand: from about 630 levels against about 1,100; the
// limits move with the stack the caller has used, so a depth at which
// renderToString itself runs out is skipped).
check('deep nesting renders as renderToString renders it', () => {
  for (const depth of [700, 800]) {
    for (const [open, close] of [['x^{', '}'], ['\\sqrt{', '}'],
      ['\\frac{1}{', '}']]) {
      const tex = open.repeat(depth) + 'x' + close.repeat(depth);
      let want;
      try {
        want = katex.renderToString(tex, options(false, false));
      } catch (e) {
        if (e instanceof RangeError) continue;
        throw e;
      }
      assert.strictEqual(render(tex, options(false, false)), want,
          'depth ' + depth + ' of ' + open);
    }
  }
});

// The same, made certain: where the writer runs out of stack, the tree
// writes itself.
check('a tree the writer cannot finish writes itself', () => {
  const tree = katex.__domTree;
  const deep = {toMarkup: () => {
    throw new RangeError('Maximum call stack size exceeded');
  }};
  const root = new tree.Span(['katex'], [deep]);
  root.toMarkup = () => '<span class="katex">as toMarkup writes it</span>';
  const writer = katexMarkup(Object.assign({}, katex,
      {__renderToDomTree: () => root}));
  assert.strictEqual(writer('x', {}),
      '<span class="katex">as toMarkup writes it</span>');
});

check('errors are KaTeX\'s own', () => {
  for (const tex of ['\\frac{a}', 'x^', '\\begin{matrix} a', '\\undefined',
    '\\htmlClass{c}{x}', '}', '\\def\\a{\\a}\\a'])
    same(tex, false, false);
});

check('a node of a kind the writer does not know writes itself', () => {
  const tree = katex.__domTree;
  const odd = {toMarkup: () => '<odd a="&">'};
  const stub = Object.assign({}, katex, {
    __renderToDomTree: () => new tree.Span(['a', '', 'b'], [odd,
      new tree.SymbolNode('<')]),
  });
  const writer = katexMarkup(stub);
  assert.strictEqual(writer.fast, true);
  assert.strictEqual(writer('x', {}),
      '<span class="a b"><odd a="&">&lt;</span>');
});

check('another KaTeX version renders with renderToString', () => {
  const stub = Object.assign({}, katex, {
    version: '0.0.0',
    renderToString: (tex) => 'renderToString:' + tex,
    __renderToDomTree: () => {
      throw new Error('the tree was asked for');
    },
  });
  const writer = katexMarkup(stub);
  assert.strictEqual(writer.fast, false);
  assert.strictEqual(writer('x^2', {}), 'renderToString:x^2');
});

console.log('katex-markup: ' + compared + ' formulas compared, ' +
    (failures ? failures + ' checks failed' : 'all checks passed'));
process.exit(failures ? 1 : 0);
