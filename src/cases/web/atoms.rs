//! Selenium 3.141's "get attribute" atom (web-cases Q29): chromedriver's plain Get Element
//! Attribute differs (typed `value` is null, `checked` after a click is null, `href` is
//! relative), and users' assertions depend on Selenium's answers, so the atom's logic is run
//! as a script: properties first, boolean attributes as `"true"`/null, `href`/`src` resolved.

/// `arguments[0]` = element, `arguments[1]` = attribute name; returns a string or null.
pub const GET_ATTRIBUTE: &str = r#"
var element = arguments[0], attribute = arguments[1];
var name = attribute.toLowerCase();
function attr(n) {
  var a = element.getAttributeNode(n);
  return (a && a.specified) ? a.value : null;
}
if (name == 'style') {
  var s = element.style;
  if (s && typeof s != 'string') { s = s.cssText; }
  return s;
}
var tag = (element.tagName || '').toUpperCase();
var type = (element.type || '').toLowerCase();
var selectable = tag == 'OPTION' || (tag == 'INPUT' && (type == 'checkbox' || type == 'radio'));
if ((name == 'selected' || name == 'checked') && selectable) {
  var sel = tag == 'OPTION' ? element.selected : element.checked;
  return sel ? 'true' : null;
}
if ((tag == 'IMG' && name == 'src') || (tag == 'A' && name == 'href')) {
  var v = attr(name);
  if (v) { v = element[name]; }
  return v;
}
if (name == 'spellcheck') {
  var sv = attr(name);
  if (sv !== null) {
    if (sv.toLowerCase() == 'false') { return 'false'; }
    if (sv.toLowerCase() == 'true') { return 'true'; }
  }
  return element[name] + '';
}
var aliases = {'class': 'className', 'readonly': 'readOnly'};
var prop = aliases[attribute] || attribute;
var booleans = ['allowfullscreen', 'allowpaymentrequest', 'allowusermedia', 'async', 'autofocus',
  'autoplay', 'checked', 'compact', 'complete', 'controls', 'declare', 'default',
  'defaultchecked', 'defaultselected', 'defer', 'disabled', 'ended', 'formnovalidate',
  'hidden', 'indeterminate', 'iscontenteditable', 'ismap', 'itemscope', 'loop', 'multiple',
  'muted', 'nohref', 'nomodule', 'noresize', 'noshade', 'novalidate', 'nowrap', 'open',
  'paused', 'playsinline', 'pubdate', 'readonly', 'required', 'reversed', 'scoped',
  'seamless', 'seeking', 'selected', 'truespeed', 'typemustmatch', 'willvalidate'];
if (booleans.indexOf(name) >= 0) {
  var b = attr(attribute) !== null || !!element[prop];
  return b ? 'true' : null;
}
var property;
try { property = element[prop]; } catch (e) {}
var value;
if (property === undefined || property === null || typeof property == 'object' || typeof property == 'function') {
  value = attr(attribute);
} else {
  value = property;
}
return (value === undefined || value === null) ? null : value.toString();
"#;

/// Selenium 3.141's W3C `submit()`: a cancelable, bubbling `submit` event on the form, then
/// `form.submit()` unless a handler cancelled it. `arguments[0]` = the form.
pub const SUBMIT: &str = "var e = arguments[0].ownerDocument.createEvent('Event');\
e.initEvent('submit', true, true);\
if (arguments[0].dispatchEvent(e)) { arguments[0].submit() }";
