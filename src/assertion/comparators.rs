//! Comparator ids, aliases and the checks of `LMAssert.compare` (api-cases §4.3).

use super::convert::{
    Items, expect_items, list_len, str2bool, str2dict, str2list, str2none, str2num, to_str,
};
use super::message::{
    dict_err, finish, fmt_items, prefix_around, prefix_binary, prefix_equal, prefix_unary,
};
use super::pyops::{
    add, comparable, le, lt, py_contains, py_iter, py_len, py_unpack, sub, type_err, value_err,
};
use super::{AssertionError, Outcome};
use crate::value::{Num, Value, is_py_alpha, is_py_digit};

/// Every comparator of the Python engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparator {
    Equals,
    EqualsList,
    EqualsDict,
    EqualsNumber,
    EqualIgnoreCase,
    NotEqual,
    Contains,
    NotContains,
    ContainsOnly,
    IsNone,
    NotEmpty,
    Empty,
    IsTrue,
    IsFalse,
    IsStrType,
    IsIntType,
    IsFloatType,
    IsInt,
    IsLetter,
    IsLower,
    IsUpper,
    StartWith,
    EndWith,
    IsIn,
    IsNotIn,
    IsNotZero,
    IsZero,
    IsPositive,
    IsNegative,
    IsGreaterThan,
    IsGreaterThanOrEqualTo,
    IsLessThan,
    IsLessThanOrEqualTo,
    IsBetween,
    IsCloseTo,
    ListLenEqual,
    ListLenGreaterThan,
    ListLenLessThan,
}

/// Platform id first, then the engine's legacy aliases exactly as spelled in Python
/// (several Chinese ones start with a space).
const TABLE: &[(Comparator, &[&str])] = &[
    (Comparator::Equals, &["equals", "equal", "相等", "字符相等"]),
    (Comparator::EqualsList, &["equalsList", "数组相等"]),
    (Comparator::EqualsDict, &["equalsDict", "对象相等"]),
    (
        Comparator::EqualsNumber,
        &["equalsNumber", "数字相等", "数值相等"],
    ),
    (
        Comparator::EqualIgnoreCase,
        &["equalIgnoreCase", "相等(忽略大小写)"],
    ),
    (
        Comparator::NotEqual,
        &["notEqual", "does not equal", "不等于"],
    ),
    (Comparator::Contains, &["contains", "包含"]),
    (
        Comparator::NotContains,
        &["notContains", "does no contains", "不包含"],
    ),
    (Comparator::ContainsOnly, &["containsOnly", "仅包含"]),
    (Comparator::IsNone, &["isNone", "none/null"]),
    (
        Comparator::NotEmpty,
        &["notEmpty", "is not empty", "不为空"],
    ),
    (Comparator::Empty, &["empty", "is empty", "为空"]),
    (Comparator::IsTrue, &["isTrue", "true"]),
    (Comparator::IsFalse, &["isFalse", "false"]),
    (Comparator::IsStrType, &["isStrType", "字符串"]),
    (Comparator::IsIntType, &["isIntType", "整数"]),
    (Comparator::IsFloatType, &["isFloatType", "浮点数"]),
    (Comparator::IsInt, &["isInt", "is a number", "仅含数字"]),
    (Comparator::IsLetter, &["isLetter", "仅含字母"]),
    (Comparator::IsLower, &["isLower", "小写"]),
    (Comparator::IsUpper, &["isUpper", "大写"]),
    (Comparator::StartWith, &["startWith", "开头是"]),
    (Comparator::EndWith, &["endWith", "结尾是"]),
    (
        Comparator::IsIn,
        &["isIn", "has item", "包含对象", "被包含"],
    ),
    (Comparator::IsNotIn, &["isNotIn", "不被包含"]),
    (Comparator::IsNotZero, &["isNotZero", "非0"]),
    (Comparator::IsZero, &["isZero", "为0"]),
    (Comparator::IsPositive, &["isPositive", "正数"]),
    (Comparator::IsNegative, &["isNegative", "负数"]),
    (Comparator::IsGreaterThan, &["isGreaterThan", " 大于"]),
    (
        Comparator::IsGreaterThanOrEqualTo,
        &[
            "isGreaterThanOrEqualTo",
            "greater than or equal",
            ">=",
            " 大于等于",
        ],
    ),
    (Comparator::IsLessThan, &["isLessThan", " 小于"]),
    (
        Comparator::IsLessThanOrEqualTo,
        &[
            "isLessThanOrEqualTo",
            "less than or equal",
            "<=",
            " 小于等于",
        ],
    ),
    (Comparator::IsBetween, &["isBetween", " 在...之间"]),
    (Comparator::IsCloseTo, &["isCloseTo", " 接近于"]),
    (Comparator::ListLenEqual, &["listLenEqual", "列表长度相等"]),
    (
        Comparator::ListLenGreaterThan,
        &["listLenGreaterThan", "列表长度大于"],
    ),
    (
        Comparator::ListLenLessThan,
        &["listLenLessThan", "列表长度小于"],
    ),
];

impl Comparator {
    /// Whether the comparator checks a list's length (and nothing else of it).
    pub fn is_list_len(self) -> bool {
        matches!(
            self,
            Comparator::ListLenEqual | Comparator::ListLenGreaterThan | Comparator::ListLenLessThan
        )
    }

    /// Every comparator, in the Python engine's `elif` order.
    pub fn all() -> impl Iterator<Item = Comparator> {
        TABLE.iter().map(|(c, _)| *c)
    }

    /// The platform id (`assertion` table), e.g. `isGreaterThan`.
    pub fn id(self) -> &'static str {
        self.aliases().first().copied().unwrap_or_default()
    }

    /// Id and aliases exactly as the Python engine spells them.
    pub fn aliases(self) -> &'static [&'static str] {
        TABLE
            .iter()
            .find(|(c, _)| *c == self)
            .map_or(&[][..], |(_, a)| *a)
    }

    /// Resolves an id or alias. Exact spellings first; then (quirk A22 Fix) the trimmed
    /// name against trimmed aliases, plus the platform's Chinese name `不相等`.
    pub fn resolve(name: &str) -> Option<Comparator> {
        let exact = TABLE
            .iter()
            .find(|(_, aliases)| aliases.contains(&name))
            .map(|(c, _)| *c);
        if exact.is_some() {
            return exact;
        }
        let trimmed = name.trim();
        if trimmed == "不相等" {
            return Some(Comparator::NotEqual);
        }
        TABLE
            .iter()
            .find(|(_, aliases)| aliases.iter().any(|a| a.trim() == trimmed))
            .map(|(c, _)| *c)
    }

    /// The message prefix (api-cases §4.5), from the original actual/expected values.
    fn prefix(self, a: &Value, e: &Value) -> String {
        use Comparator as C;
        match self {
            C::Equals => prefix_equal("字符相等", a, e),
            C::EqualsList => prefix_equal("数组相等", a, e),
            C::EqualsDict => prefix_equal("对象相等", a, e),
            C::EqualsNumber => prefix_equal("数值相等", a, e),
            C::EqualIgnoreCase => prefix_equal("相等(忽略大小写)", a, e),
            C::NotEqual => prefix_binary("不等于", a, e),
            C::Contains => prefix_binary("包含", a, e),
            C::NotContains => prefix_binary("不包含", a, e),
            C::ContainsOnly => prefix_binary("仅包含", a, e),
            C::StartWith => prefix_binary("开头是", a, e),
            C::EndWith => prefix_binary("结尾是", a, e),
            C::IsGreaterThan => prefix_binary("大于", a, e),
            C::IsGreaterThanOrEqualTo => prefix_binary("大于等于", a, e),
            C::IsLessThan => prefix_binary("小于", a, e),
            C::IsLessThanOrEqualTo => prefix_binary("小于等于", a, e),
            C::IsCloseTo => prefix_binary("接近于", a, e),
            C::ListLenEqual => prefix_binary("列表长度相等", a, e),
            C::ListLenGreaterThan => prefix_binary("列表长度大于", a, e),
            C::ListLenLessThan => prefix_binary("列表长度小于", a, e),
            C::IsIn => prefix_around("被包含在", "列表中", a, e),
            C::IsNotIn => prefix_around("不被包含在", "列表中", a, e),
            C::IsBetween => prefix_around("在", "之间", a, e),
            C::IsNone => prefix_unary("为none或null", a),
            C::NotEmpty => prefix_unary("不为空", a),
            C::Empty => prefix_unary("为空", a),
            C::IsTrue => prefix_unary("是true", a),
            C::IsFalse => prefix_unary("是false", a),
            C::IsStrType => prefix_unary("是字符串", a),
            C::IsIntType => prefix_unary("是整数", a),
            C::IsFloatType => prefix_unary("是浮点数", a),
            C::IsInt => prefix_unary("仅含数字", a),
            C::IsLetter => prefix_unary("仅含字母", a),
            C::IsLower => prefix_unary("是小写的", a),
            C::IsUpper => prefix_unary("是大写的", a),
            C::IsNotZero => prefix_unary("不是0", a),
            C::IsZero => prefix_unary("是0", a),
            C::IsPositive => prefix_unary("是正数", a),
            C::IsNegative => prefix_unary("是负数", a),
        }
    }
}

/// `LMAssert(comparator, actual, expected).compare()`.
///
/// `Ok(Pass)` / `Ok(Fail(message))` are the Python `(True, 'success')` / `(False, msg)`;
/// `Err` is what Python raised (unknown comparator, type errors) → step error, status 2.
/// WEB note (web-cases §6.3): WEB expects arrive typed (`Int`/`Boolean`); with A16/Q2 Fix
/// `equals` now matches them by their Python text (`20` → `"20"`, `true` → `"True"`).
pub fn compare(
    comparator: &str,
    actual: &Value,
    expected: &Value,
) -> Result<Outcome, AssertionError> {
    let cmp = Comparator::resolve(comparator)
        .ok_or_else(|| AssertionError::UnknownComparator(comparator.to_string()))?;
    compare_with(cmp, actual, expected)
}

/// [`compare`] with the comparator already resolved (an assertion read once, checked often).
pub fn compare_with(
    cmp: Comparator,
    actual: &Value,
    expected: &Value,
) -> Result<Outcome, AssertionError> {
    Ok(match check(cmp, actual, expected)? {
        None => Outcome::Pass,
        Some(text) => Outcome::Fail(cmp.prefix(actual, expected) + finish(&text).as_str()),
    })
}

/// `None` = pass; `Some(assertpy text)` = failure (before the bracket replacements).
type Check = Result<Option<String>, AssertionError>;

fn fail_if(cond: bool, text: impl FnOnce() -> String) -> Check {
    Ok(cond.then(text))
}

fn check(cmp: Comparator, a: &Value, e: &Value) -> Check {
    use Comparator as C;
    match cmp {
        C::Equals => {
            // A16 Fix (= WEB Q2): Python compared str(actual) with the raw expect, so a
            // typed (non-string) expect never matched.
            let (v, o) = (a.py_str(), e.py_str());
            fail_if(v != o, || {
                format!("Expected <{v}> to be equal to <{o}>, but was not.")
            })
        }
        C::EqualsList => {
            let v = str2list(a)?;
            is_equal_to(&v, &str2list(e)?)
        }
        C::EqualsDict => {
            let v = str2dict(a)?;
            is_equal_to(&v, &str2dict(e)?)
        }
        C::EqualsNumber => {
            let v = str2num(a)?;
            is_equal_to(&v, &str2num(e)?)
        }
        C::EqualIgnoreCase => {
            let v = a.py_str();
            let Value::Str(o) = e else {
                return Err(type_err("given arg must be a string"));
            };
            fail_if(v.to_lowercase() != o.to_lowercase(), || {
                format!("Expected <{v}> to be case-insensitive equal to <{o}>, but was not.")
            })
        }
        // A17 Compat: raw values, so 7 vs "7" passes.
        C::NotEqual => fail_if(a.py_eq(e), || {
            format!(
                "Expected <{}> to be not equal to <{}>, but was.",
                a.py_str(),
                e.py_str()
            )
        }),
        C::Contains => {
            let v = to_str(a)?;
            let found = py_contains(&v, e)?;
            fail_if(!found, || {
                let what = if matches!(v, Value::Dict(_)) {
                    "key"
                } else {
                    "item"
                };
                format!(
                    "Expected <{}> to contain {what} <{}>, but did not.",
                    v.py_str(),
                    e.py_str()
                )
            })
        }
        C::NotContains => does_not_contain(a, expect_items(e)?.as_slice()),
        C::ContainsOnly => contains_only(a, &expect_items(e)?),
        C::IsNone => fail_if(str2none(a) != Value::None, || {
            format!("Expected <{}> to be <None>, but was not.", a.py_str())
        }),
        C::NotEmpty => fail_if(py_len(a)? == 0, || {
            if matches!(a, Value::Str(_)) {
                "Expected not empty string, but was empty.".to_string()
            } else {
                "Expected not empty, but was empty.".to_string()
            }
        }),
        C::Empty => fail_if(py_len(a)? != 0, || {
            let kind = if matches!(a, Value::Str(_)) {
                "empty string"
            } else {
                "empty"
            };
            format!("Expected <{}> to be {kind}, but was not.", a.py_str())
        }),
        C::IsTrue => fail_if(!str2bool(a).unwrap_or(false), || {
            "Expected <True>, but was not.".to_string()
        }),
        C::IsFalse => fail_if(str2bool(a).unwrap_or(true), || {
            "Expected <False>, but was not.".to_string()
        }),
        C::IsStrType => is_type_of(a, "str"),
        C::IsIntType => is_type_of(a, "int"),
        C::IsFloatType => is_type_of(a, "float"),
        C::IsInt => string_check(a, "digits", |s| s.chars().all(is_py_digit)),
        C::IsLetter => string_check(a, "alphabetic chars", |s| s.chars().all(is_py_alpha)),
        C::IsLower => string_check(a, "lowercase chars", |s| s == s.to_lowercase()),
        C::IsUpper => string_check(a, "uppercase chars", |s| s == s.to_uppercase()),
        C::StartWith => starts_or_ends(a, e, true),
        C::EndWith => starts_or_ends(a, e, false),
        C::IsIn => {
            let items = expect_items(e)?;
            let found = is_in(a, &items)?;
            fail_if(!found, || {
                format!(
                    "Expected <{}> to be in {}, but was not.",
                    a.py_str(),
                    fmt_items(items.as_slice())
                )
            })
        }
        C::IsNotIn => {
            let items = expect_items(e)?;
            let found = is_in(a, &items)?;
            fail_if(found, || {
                format!(
                    "Expected <{}> to not be in {}, but was.",
                    a.py_str(),
                    fmt_items(items.as_slice())
                )
            })
        }
        C::IsNotZero | C::IsZero => {
            let v = str2num(a)?;
            if v.as_number().is_none() {
                return Err(type_err("val is not numeric"));
            }
            let zero = Value::Int(0);
            if cmp == C::IsZero {
                is_equal_to(&v, &zero)
            } else {
                fail_if(v.py_eq(&zero), || {
                    format!("Expected <{}> to be not equal to <0>, but was.", v.py_str())
                })
            }
        }
        C::IsPositive => ordering(a, &Value::Int(0), Order::Gt),
        C::IsNegative => ordering(a, &Value::Int(0), Order::Lt),
        C::IsGreaterThan => ordering(&str2num(a)?, &str2num(e)?, Order::Gt),
        C::IsGreaterThanOrEqualTo => ordering(&str2num(a)?, &str2num(e)?, Order::Ge),
        C::IsLessThan => ordering(&str2num(a)?, &str2num(e)?, Order::Lt),
        C::IsLessThanOrEqualTo => ordering(&str2num(a)?, &str2num(e)?, Order::Le),
        C::IsBetween => is_between(&str2num(a)?, e),
        C::IsCloseTo => is_close_to(&str2num(a)?, e),
        C::ListLenEqual | C::ListLenGreaterThan | C::ListLenLessThan => {
            let n = list_len(a)?;
            len_check(cmp, n, e)
                .unwrap_or_else(|| Err(AssertionError::UnknownComparator(format!("{cmp:?}"))))
        }
    }
}

/// A list-length comparator's verdict on a list of `n` items; `None` for other comparators.
fn len_check(cmp: Comparator, n: usize, e: &Value) -> Option<Check> {
    use Comparator as C;
    let n = len_value(n);
    Some(match cmp {
        C::ListLenEqual => str2num(e).and_then(|e| is_equal_to(&n, &e)),
        C::ListLenGreaterThan => str2num(e).and_then(|e| ordering(&n, &e, Order::Gt)),
        // A21 Compat (= WEB Q24): "less than" really checks ≤.
        C::ListLenLessThan => str2num(e).and_then(|e| ordering(&n, &e, Order::Le)),
        _ => return None,
    })
}

/// Whether `cmp` passes for an actual value that is a list of `len` items, decided from the
/// length alone: a passing assertion prints nothing of the list, so a large list need not be
/// built. `false` for any other comparator, a failure or an error: the caller then compares
/// the value itself, which gives the failure's message or the error.
pub fn list_len_passes(cmp: Comparator, len: usize, expected: &Value) -> bool {
    matches!(len_check(cmp, len, expected), Some(Ok(None)))
}

fn len_value(n: usize) -> Value {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// assertpy `is_equal_to`: dict-vs-dict failures list only the differing entries.
fn is_equal_to(v: &Value, o: &Value) -> Check {
    if v.py_eq(o) {
        return Ok(None);
    }
    Ok(Some(match (v, o) {
        (Value::Dict(vd), Value::Dict(od)) => dict_err(vd, od),
        _ => format!(
            "Expected <{}> to be equal to <{}>, but was not.",
            v.py_str(),
            o.py_str()
        ),
    }))
}

fn does_not_contain(a: &Value, items: &[Value]) -> Check {
    match items {
        [] => Err(value_err("one or more args must be given")),
        [one] => {
            let found = py_contains(a, one)?;
            fail_if(found, || {
                format!(
                    "Expected <{}> to not contain item <{}>, but did.",
                    a.py_str(),
                    one.py_str()
                )
            })
        }
        _ => {
            let mut found = Vec::new();
            for item in items {
                if py_contains(a, item)? {
                    found.push(item.clone());
                }
            }
            fail_if(!found.is_empty(), || {
                format!(
                    "Expected <{}> to not contain items {}, but did contain {}.",
                    a.py_str(),
                    fmt_items(items),
                    fmt_items(&found)
                )
            })
        }
    }
}

fn contains_only(a: &Value, items: &Items) -> Check {
    if let (Value::Str(s), Items::One(Value::Str(item))) = (a, items) {
        // A18 Fix on a string actual: it must consist only of repetitions of the expected
        // text. For a one-character expectation this is exactly the Python result.
        let leftover = s.replace(item.as_str(), "");
        if !leftover.is_empty() {
            let extra: Vec<Value> = leftover.chars().map(|c| Value::Str(c.into())).collect();
            return Ok(Some(format!(
                "Expected <{s}> to contain only <{item}>, but did contain {}.",
                fmt_items(&extra)
            )));
        }
        return fail_if(!s.contains(item.as_str()), || {
            format!("Expected <{s}> to contain only <{item}>, but did not contain <{item}>.")
        });
    }
    let items = items.as_slice();
    if items.is_empty() {
        return Err(value_err("one or more args must be given"));
    }
    let extra: Vec<Value> = py_iter(a)?
        .into_iter()
        .filter(|x| !items.iter().any(|i| i.py_eq(x)))
        .collect();
    if !extra.is_empty() {
        return Ok(Some(format!(
            "Expected <{}> to contain only {}, but did contain {}.",
            a.py_str(),
            fmt_items(items),
            fmt_items(&extra)
        )));
    }
    let mut missing = Vec::new();
    for item in items {
        if !py_contains(a, item)? {
            missing.push(item.clone());
        }
    }
    fail_if(!missing.is_empty(), || {
        format!(
            "Expected <{}> to contain only {}, but did not contain {}.",
            a.py_str(),
            fmt_items(items),
            fmt_items(&missing)
        )
    })
}

/// `val in items` for isIn/isNotIn. A18 Fix: a single expected string is matched as a
/// substring by a string actual (`"b"` is in `"abc"`, as with Python's character split,
/// and so is `"bc"`); otherwise Python equality against each item.
fn is_in(a: &Value, items: &Items) -> Result<bool, AssertionError> {
    if let (Value::Str(s), Items::One(Value::Str(e))) = (a, items) {
        return Ok(e.contains(s.as_str()));
    }
    let items = items.as_slice();
    if items.is_empty() {
        return Err(value_err("one or more args must be given"));
    }
    Ok(items.iter().any(|i| a.py_eq(i)))
}

fn is_type_of(a: &Value, want: &str) -> Check {
    fail_if(a.type_name() != want, || {
        format!(
            "Expected <{}:{}> to be of type <{want}>, but was not.",
            a.py_str(),
            a.type_name()
        )
    })
}

fn string_check(a: &Value, what: &str, ok: impl Fn(&str) -> bool) -> Check {
    let Value::Str(s) = a else {
        return Err(type_err("val is not a string"));
    };
    if s.is_empty() {
        return Err(value_err("val is empty"));
    }
    fail_if(!ok(s), || {
        format!("Expected <{s}> to contain only {what}, but did not.")
    })
}

fn starts_or_ends(a: &Value, e: &Value, start: bool) -> Check {
    let (arg, verb) = if start {
        ("prefix", "start with")
    } else {
        ("suffix", "end with")
    };
    if matches!(e, Value::None) {
        return Err(type_err(format!("given {arg} arg must not be none")));
    }
    match a {
        Value::Str(s) => {
            let Value::Str(p) = e else {
                return Err(type_err(format!("given {arg} arg must be a string")));
            };
            if p.is_empty() {
                return Err(value_err(format!("given {arg} arg must not be empty")));
            }
            let ok = if start {
                s.starts_with(p.as_str())
            } else {
                s.ends_with(p.as_str())
            };
            fail_if(!ok, || {
                format!("Expected <{s}> to {verb} <{p}>, but did not.")
            })
        }
        Value::List(_) | Value::Tuple(_) | Value::Dict(_) | Value::Bytes(_) => {
            let items = py_iter(a)?;
            let edge = if start { items.first() } else { items.last() };
            let Some(edge) = edge else {
                return Err(value_err("val must not be empty"));
            };
            // assertpy prints an iterable actual without angle brackets here.
            fail_if(!edge.py_eq(e), || {
                format!(
                    "Expected {} to {verb} <{}>, but did not.",
                    a.py_str(),
                    e.py_str()
                )
            })
        }
        _ => Err(type_err("val is not a string or iterable")),
    }
}

#[derive(Clone, Copy)]
enum Order {
    Gt,
    Ge,
    Lt,
    Le,
}

/// assertpy `is_greater_than` & co.: validates numeric operands, fails on the negation.
fn ordering(v: &Value, o: &Value, order: Order) -> Check {
    let (x, y) = comparable(v, o)?;
    let (failed, words) = match order {
        Order::Gt => (le(x, y), "greater than"),
        Order::Ge => (lt(x, y), "greater than or equal to"),
        Order::Lt => (le(y, x), "less than"),
        Order::Le => (lt(y, x), "less than or equal to"),
    };
    fail_if(failed, || {
        format!(
            "Expected <{}> to be {words} <{}>, but was not.",
            v.py_str(),
            o.py_str()
        )
    })
}

/// `f(val, *str2list(expected))` for a two-argument assertpy method.
fn two_args(e: &Value, method: &str, names: [&str; 2]) -> Result<(Value, Value), AssertionError> {
    let mut args = py_unpack(&str2list(e)?)?.into_iter();
    match (args.next(), args.next(), args.next()) {
        (Some(x), Some(y), None) => Ok((x, y)),
        (None, _, _) => Err(type_err(format!(
            "{method}() missing 2 required positional arguments: '{}' and '{}'",
            names[0], names[1]
        ))),
        (Some(_), None, _) => Err(type_err(format!(
            "{method}() missing 1 required positional argument: '{}'",
            names[1]
        ))),
        (Some(_), Some(_), Some(_)) => Err(type_err(format!(
            "{method}() takes 3 positional arguments but {} were given",
            args.len() + 4
        ))),
    }
}

fn is_between(v: &Value, e: &Value) -> Check {
    let (low, high) = two_args(e, "is_between", ["low", "high"])?;
    let x = v.as_number().ok_or_else(|| {
        type_err(format!(
            "ordering is not defined for type <{}>",
            v.type_name()
        ))
    })?;
    let numeric = |arg: &Value, name: &str| -> Result<Num, AssertionError> {
        arg.as_number().ok_or_else(|| {
            type_err(format!(
                "given {name} arg must be numeric, but was <{}>",
                arg.type_name()
            ))
        })
    };
    let lo = numeric(&low, "low")?;
    let hi = numeric(&high, "high")?;
    if lt(hi, lo) {
        return Err(value_err("given low arg must be less than given high arg"));
    }
    fail_if(lt(x, lo) || lt(hi, x), || {
        format!(
            "Expected <{}> to be between <{}> and <{}>, but was not.",
            v.py_str(),
            low.py_str(),
            high.py_str()
        )
    })
}

fn is_close_to(v: &Value, e: &Value) -> Check {
    let (other, tolerance) = two_args(e, "is_close_to", ["other", "tolerance"])?;
    let x = v
        .as_number()
        .ok_or_else(|| type_err("val is not numeric or datetime"))?;
    let t = other
        .as_number()
        .ok_or_else(|| type_err("given arg must be numeric"))?;
    let tol = tolerance
        .as_number()
        .ok_or_else(|| type_err("given tolerance arg must be numeric"))?;
    if lt(tol, Num::Int(0)) {
        return Err(value_err("given tolerance arg must be positive"));
    }
    fail_if(lt(x, sub(t, tol)) || lt(add(t, tol), x), || {
        format!(
            "Expected <{}> to be close to <{}> within tolerance <{}>, but was not.",
            v.py_str(),
            other.py_str(),
            tolerance.py_str()
        )
    })
}
