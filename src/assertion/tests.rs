//! Comparator tests. `PYTHON_VECTORS` were produced by running the Python engine's own
//! `LMAssert` (commit 5bae0a8) with assertpy 1.1; rows touched by a Fix are adjusted
//! and commented.

use std::collections::HashSet;

use super::{AssertionError, Comparator, Outcome, compare};
use crate::value::{Value, parse_py_literal};

fn lit(t: &str) -> Value {
    parse_py_literal(t).unwrap_or_else(|e| panic!("bad literal {t}: {e}"))
}

fn s(x: &str) -> Value {
    Value::Str(x.into())
}

fn run(c: &str, a: &Value, e: &Value) -> (String, String) {
    match compare(c, a, e) {
        Ok(Outcome::Pass) => ("pass".into(), "success".into()),
        Ok(Outcome::Fail(m)) => ("fail".into(), m),
        Err(err) => ("err".into(), err.to_string()),
    }
}

fn fail_msg(c: &str, a: &Value, e: &Value) -> String {
    match compare(c, a, e) {
        Ok(Outcome::Fail(m)) => m,
        other => panic!("expected failure for {c}, got {other:?}"),
    }
}

fn passes(c: &str, a: &Value, e: &Value) -> bool {
    matches!(compare(c, a, e), Ok(Outcome::Pass))
}

/// (comparator, actual literal, expected literal, pass|fail|err, message).
/// Error texts use Python 3.8 spelling (no `NumericMixin.` qualifier).
const PYTHON_VECTORS: &[(&str, &str, &str, &str, &str)] = &[
    (
        r#"equals"#,
        r#"'hello'"#,
        r#"'hello'"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"equals"#,
        r#"7"#,
        r#"'8'"#,
        r#"fail"#,
        r#"实际值(7)与预期值(8) 字符相等，条件为否：Expected (7) to be equal to (8), but was not."#,
    ),
    (
        r#"equals"#,
        r#"{'a': 1}"#,
        r#""{'a': 1}""#,
        r#"pass"#,
        r#"success"#,
    ),
    (r#"equals"#, r#"True"#, r#"'True'"#, r#"pass"#, r#"success"#),
    (
        r#"equals"#,
        r#"None"#,
        r#"'x'"#,
        r#"fail"#,
        r#"实际值(None)与预期值(x) 字符相等，条件为否：Expected (None) to be equal to (x), but was not."#,
    ),
    (
        r#"equalsList"#,
        r#"'[1, 2]'"#,
        r#"[1, 2]"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"equalsList"#,
        r#"[1, 2]"#,
        r#"'[1, 3]'"#,
        r#"fail"#,
        r#"实际值([1, 2])与预期值([1, 3]) 数组相等，条件为否：Expected ([1, 2]) to be equal to ([1, 3]), but was not."#,
    ),
    (
        r#"equalsList"#,
        r#"'abc'"#,
        r#"'abd'"#,
        r#"fail"#,
        r#"实际值(abc)与预期值(abd) 数组相等，条件为否：Expected (abc) to be equal to (abd), but was not."#,
    ),
    (
        r#"equalsList"#,
        r#"[1.0]"#,
        r#"'[1]'"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"equalsDict"#,
        r#"{'a': 1, 'b': 2}"#,
        r#""{'b': 2, 'a': 1}""#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"equalsDict"#,
        r#"{'b': 1, 'a': 1}"#,
        r#""{'a': 2, 'b': 1}""#,
        r#"fail"#,
        r#"实际值({'b': 1, 'a': 1})与预期值({'a': 2, 'b': 1}) 对象相等，条件为否：Expected ({.., 'a': 1}) to be equal to ({.., 'a': 2}), but was not."#,
    ),
    (
        r#"equalsDict"#,
        r#"'x'"#,
        r#"'y'"#,
        r#"fail"#,
        r#"实际值(x)与预期值(y) 对象相等，条件为否：Expected (x) to be equal to (y), but was not."#,
    ),
    (
        r#"equalsDict"#,
        r#"{'a': {'x': 1}}"#,
        r#""{'a': {'x': 2}, 'c': 3}""#,
        r#"fail"#,
        r#"实际值({'a': {'x': 1}})与预期值({'a': {'x': 2}, 'c': 3}) 对象相等，条件为否：Expected ({'a': {'x': 1}}) to be equal to ({'a': {'x': 2}, 'c': 3}), but was not."#,
    ),
    (
        r#"equalsNumber"#,
        r#"'1'"#,
        r#"'1.0'"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"equalsNumber"#,
        r#"7"#,
        r#"'8'"#,
        r#"fail"#,
        r#"实际值(7)与预期值(8) 数值相等，条件为否：Expected (7) to be equal to (8), but was not."#,
    ),
    (
        r#"equalsNumber"#,
        r#"'abc'"#,
        r#"'abc'"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"equalsNumber"#,
        r#"'1.50'"#,
        r#"'1.6'"#,
        r#"fail"#,
        r#"实际值(1.50)与预期值(1.6) 数值相等，条件为否：Expected (1.5) to be equal to (1.6), but was not."#,
    ),
    (
        r#"equalsNumber"#,
        r#"''"#,
        r#"None"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"equalIgnoreCase"#,
        r#"'Hello'"#,
        r#"'hELLO'"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"equalIgnoreCase"#,
        r#"'Hello'"#,
        r#"'world'"#,
        r#"fail"#,
        r#"实际值(Hello)与预期值(world) 相等(忽略大小写)，条件为否：Expected (Hello) to be case-insensitive equal to (world), but was not."#,
    ),
    (
        r#"equalIgnoreCase"#,
        r#"True"#,
        r#"'TRUE'"#,
        r#"pass"#,
        r#"success"#,
    ),
    (r#"notEqual"#, r#"7"#, r#"'7'"#, r#"pass"#, r#"success"#),
    (
        r#"notEqual"#,
        r#"7"#,
        r#"7.0"#,
        r#"fail"#,
        r#"实际值(7) 不等于 预期值(7.0)，条件为否：Expected (7) to be not equal to (7.0), but was."#,
    ),
    (
        r#"notEqual"#,
        r#"'a'"#,
        r#"'a'"#,
        r#"fail"#,
        r#"实际值(a) 不等于 预期值(a)，条件为否：Expected (a) to be not equal to (a), but was."#,
    ),
    (
        r#"notEqual"#,
        r#"[1]"#,
        r#"[1]"#,
        r#"fail"#,
        r#"实际值([1]) 不等于 预期值([1])，条件为否：Expected ([1]) to be not equal to ([1]), but was."#,
    ),
    (
        r#"contains"#,
        r#"'hello'"#,
        r#"'ell'"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"contains"#,
        r#"'hello'"#,
        r#"'xyz'"#,
        r#"fail"#,
        r#"实际值(hello) 包含 预期值(xyz)，条件为否：Expected (hello) to contain item (xyz), but did not."#,
    ),
    (
        r#"contains"#,
        r#"[1, 'ab']"#,
        r#""'ab'""#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"contains"#,
        r#"{'k': 'v'}"#,
        r#"'zz'"#,
        r#"fail"#,
        r#"实际值({'k': 'v'}) 包含 预期值(zz)，条件为否：Expected ({'k': 'v'}) to contain item (zz), but did not."#,
    ),
    (
        r#"contains"#,
        r#"None"#,
        r#"'a'"#,
        r#"fail"#,
        r#"实际值(None) 包含 预期值(a)，条件为否：Expected () to contain item (a), but did not."#,
    ),
    (
        r#"contains"#,
        r#"[]"#,
        r#"'a'"#,
        r#"fail"#,
        r#"实际值([]) 包含 预期值(a)，条件为否：Expected () to contain item (a), but did not."#,
    ),
    (
        r#"notContains"#,
        r#"'hello'"#,
        r#"'["l", "x"]'"#,
        r#"fail"#,
        r#"实际值(hello) 不包含 预期值(["l", "x"])，条件为否：Expected (hello) to not contain items ('l', 'x'), but did contain (l>."#,
    ),
    (
        r#"notContains"#,
        r#"'hello'"#,
        r#"'["x", "y"]'"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"notContains"#,
        r#"[1, 2]"#,
        r#"[3]"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"notContains"#,
        r#"[1, 2]"#,
        r#"[2]"#,
        r#"fail"#,
        r#"实际值([1, 2]) 不包含 预期值([2])，条件为否：Expected ([1, 2]) to not contain item (2), but did."#,
    ),
    (
        r#"notContains"#,
        r#"{'a': 1}"#,
        r#"['a', 'b']"#,
        r#"fail"#,
        r#"实际值({'a': 1}) 不包含 预期值(['a', 'b'])，条件为否：Expected ({'a': 1}) to not contain items ('a', 'b'), but did contain (a>."#,
    ),
    (
        r#"containsOnly"#,
        r#"'aab'"#,
        r#"'["a", "b"]'"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"containsOnly"#,
        r#"'abc'"#,
        r#"'["a", "b"]'"#,
        r#"fail"#,
        r#"实际值(abc) 仅包含 预期值(["a", "b"])，条件为否：Expected (abc) to contain only ('a', 'b'), but did contain (c>."#,
    ),
    (
        r#"containsOnly"#,
        r#"'aa'"#,
        r#"'["a", "b"]'"#,
        r#"fail"#,
        r#"实际值(aa) 仅包含 预期值(["a", "b"])，条件为否：Expected (aa) to contain only ('a', 'b'), but did not contain (b>."#,
    ),
    (
        r#"containsOnly"#,
        r#"[1, 1, 2]"#,
        r#"[1, 2]"#,
        r#"pass"#,
        r#"success"#,
    ),
    (r#"isNone"#, r#"None"#, r#"''"#, r#"pass"#, r#"success"#),
    (r#"isNone"#, r#"'null'"#, r#"''"#, r#"pass"#, r#"success"#),
    (r#"isNone"#, r#"'NONE'"#, r#"''"#, r#"pass"#, r#"success"#),
    (
        r#"isNone"#,
        r#"'x'"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值(x) 为none或null，条件为否：Expected (x) to be (None), but was not."#,
    ),
    (
        r#"isNone"#,
        r#"0"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值(0) 为none或null，条件为否：Expected (0) to be (None), but was not."#,
    ),
    (r#"notEmpty"#, r#"'a'"#, r#"''"#, r#"pass"#, r#"success"#),
    (
        r#"notEmpty"#,
        r#"''"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值() 不为空，条件为否：Expected not empty string, but was empty."#,
    ),
    (
        r#"notEmpty"#,
        r#"[]"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值([]) 不为空，条件为否：Expected not empty, but was empty."#,
    ),
    (
        r#"notEmpty"#,
        r#"{}"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值({}) 不为空，条件为否：Expected not empty, but was empty."#,
    ),
    (r#"empty"#, r#"''"#, r#"''"#, r#"pass"#, r#"success"#),
    (
        r#"empty"#,
        r#"'ab'"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值(ab) 为空，条件为否：Expected (ab) to be empty string, but was not."#,
    ),
    (
        r#"empty"#,
        r#"[1]"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值([1]) 为空，条件为否：Expected ([1]) to be empty, but was not."#,
    ),
    (r#"empty"#, r#"{}"#, r#"''"#, r#"pass"#, r#"success"#),
    (r#"isTrue"#, r#"True"#, r#"''"#, r#"pass"#, r#"success"#),
    (r#"isTrue"#, r#"'TRUE'"#, r#"''"#, r#"pass"#, r#"success"#),
    (
        r#"isTrue"#,
        r#"'yes'"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值(yes) 是true，条件为否：Expected (True), but was not."#,
    ),
    (
        r#"isTrue"#,
        r#"False"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值(False) 是true，条件为否：Expected (True), but was not."#,
    ),
    (r#"isFalse"#, r#"False"#, r#"''"#, r#"pass"#, r#"success"#),
    (r#"isFalse"#, r#"'false'"#, r#"''"#, r#"pass"#, r#"success"#),
    (
        r#"isFalse"#,
        r#"'no'"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值(no) 是false，条件为否：Expected (False), but was not."#,
    ),
    (
        r#"isFalse"#,
        r#"True"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值(True) 是false，条件为否：Expected (False), but was not."#,
    ),
    (r#"isStrType"#, r#"'a'"#, r#"''"#, r#"pass"#, r#"success"#),
    (
        r#"isStrType"#,
        r#"1"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值(1) 是字符串，条件为否：Expected (1:int) to be of type (str), but was not."#,
    ),
    (r#"isIntType"#, r#"1"#, r#"''"#, r#"pass"#, r#"success"#),
    (
        r#"isIntType"#,
        r#"True"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值(True) 是整数，条件为否：Expected (True:bool) to be of type (int), but was not."#,
    ),
    (
        r#"isIntType"#,
        r#"'1'"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值(1) 是整数，条件为否：Expected (1:str) to be of type (int), but was not."#,
    ),
    (r#"isFloatType"#, r#"1.5"#, r#"''"#, r#"pass"#, r#"success"#),
    (
        r#"isFloatType"#,
        r#"1"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值(1) 是浮点数，条件为否：Expected (1:int) to be of type (float), but was not."#,
    ),
    (
        r#"isFloatType"#,
        r#"None"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值(None) 是浮点数，条件为否：Expected (None:NoneType) to be of type (float), but was not."#,
    ),
    (r#"isInt"#, r#"'123'"#, r#"''"#, r#"pass"#, r#"success"#),
    (
        r#"isInt"#,
        r#"'12a'"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值(12a) 仅含数字，条件为否：Expected (12a) to contain only digits, but did not."#,
    ),
    (r#"isInt"#, r#"'²'"#, r#"''"#, r#"pass"#, r#"success"#),
    (
        r#"isLetter"#,
        r#"'abc中文'"#,
        r#"''"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"isLetter"#,
        r#"'ab1'"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值(ab1) 仅含字母，条件为否：Expected (ab1) to contain only alphabetic chars, but did not."#,
    ),
    (r#"isLower"#, r#"'abc'"#, r#"''"#, r#"pass"#, r#"success"#),
    (r#"isLower"#, r#"'123'"#, r#"''"#, r#"pass"#, r#"success"#),
    (
        r#"isLower"#,
        r#"'aBc'"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值(aBc) 是小写的，条件为否：Expected (aBc) to contain only lowercase chars, but did not."#,
    ),
    (r#"isUpper"#, r#"'ABC'"#, r#"''"#, r#"pass"#, r#"success"#),
    (r#"isUpper"#, r#"'123'"#, r#"''"#, r#"pass"#, r#"success"#),
    (
        r#"isUpper"#,
        r#"'AbC'"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值(AbC) 是大写的，条件为否：Expected (AbC) to contain only uppercase chars, but did not."#,
    ),
    (
        r#"startWith"#,
        r#"'hello'"#,
        r#"'he'"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"startWith"#,
        r#"'hello'"#,
        r#"'lo'"#,
        r#"fail"#,
        r#"实际值(hello) 开头是 预期值(lo)，条件为否：Expected (hello) to start with (lo), but did not."#,
    ),
    (r#"startWith"#, r#"[1, 2]"#, r#"1"#, r#"pass"#, r#"success"#),
    (
        r#"startWith"#,
        r#"[1, 2]"#,
        r#"3"#,
        r#"fail"#,
        r#"实际值([1, 2]) 开头是 预期值(3)，条件为否：Expected [1, 2] to start with (3), but did not."#,
    ),
    (
        r#"startWith"#,
        r#"[1, 2]"#,
        r#"'1'"#,
        r#"fail"#,
        r#"实际值([1, 2]) 开头是 预期值(1)，条件为否：Expected [1, 2] to start with (1), but did not."#,
    ),
    (
        r#"endWith"#,
        r#"'hello'"#,
        r#"'lo'"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"endWith"#,
        r#"'hello'"#,
        r#"'he'"#,
        r#"fail"#,
        r#"实际值(hello) 结尾是 预期值(he)，条件为否：Expected (hello) to end with (he), but did not."#,
    ),
    (r#"endWith"#, r#"[1, 2]"#, r#"2"#, r#"pass"#, r#"success"#),
    (
        r#"endWith"#,
        r#"[1, 2]"#,
        r#"'x'"#,
        r#"fail"#,
        r#"实际值([1, 2]) 结尾是 预期值(x)，条件为否：Expected [1, 2] to end with (x), but did not."#,
    ),
    (r#"isIn"#, r#"1"#, r#"'[1, 2]'"#, r#"pass"#, r#"success"#),
    (
        r#"isIn"#,
        r#"3"#,
        r#"'[1, 2]'"#,
        r#"fail"#,
        r#"实际值(3) 被包含在 预期值([1, 2]) 列表中，条件为否：Expected (3) to be in (1, 2), but was not."#,
    ),
    (
        r#"isIn"#,
        r#"'a'"#,
        r#"'["a", "b"]'"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"isIn"#,
        r#"'c'"#,
        r#"['a', 'b']"#,
        r#"fail"#,
        r#"实际值(c) 被包含在 预期值(['a', 'b']) 列表中，条件为否：Expected (c) to be in ('a', 'b'), but was not."#,
    ),
    (r#"isNotIn"#, r#"3"#, r#"'[1, 2]'"#, r#"pass"#, r#"success"#),
    (
        r#"isNotIn"#,
        r#"1"#,
        r#"'[1, 2]'"#,
        r#"fail"#,
        r#"实际值(1) 不被包含在 预期值([1, 2]) 列表中，条件为否：Expected (1) to not be in (1, 2), but was."#,
    ),
    (
        r#"isNotIn"#,
        r#"'a'"#,
        r#"['a', 'b']"#,
        r#"fail"#,
        r#"实际值(a) 不被包含在 预期值(['a', 'b']) 列表中，条件为否：Expected (a) to not be in ('a', 'b'), but was."#,
    ),
    (r#"isNotZero"#, r#"'5'"#, r#"''"#, r#"pass"#, r#"success"#),
    (
        r#"isNotZero"#,
        r#"'0'"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值(0) 不是0，条件为否：Expected (0) to be not equal to (0), but was."#,
    ),
    (
        r#"isNotZero"#,
        r#"0.0"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值(0.0) 不是0，条件为否：Expected (0.0) to be not equal to (0), but was."#,
    ),
    (r#"isZero"#, r#"'0'"#, r#"''"#, r#"pass"#, r#"success"#),
    (r#"isZero"#, r#"'0.0'"#, r#"''"#, r#"pass"#, r#"success"#),
    (
        r#"isZero"#,
        r#"'2'"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值(2) 是0，条件为否：Expected (2) to be equal to (0), but was not."#,
    ),
    (r#"isPositive"#, r#"5"#, r#"''"#, r#"pass"#, r#"success"#),
    (
        r#"isPositive"#,
        r#"0"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值(0) 是正数，条件为否：Expected (0) to be greater than (0), but was not."#,
    ),
    (
        r#"isPositive"#,
        r#"-1.5"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值(-1.5) 是正数，条件为否：Expected (-1.5) to be greater than (0), but was not."#,
    ),
    (r#"isNegative"#, r#"-1"#, r#"''"#, r#"pass"#, r#"success"#),
    (
        r#"isNegative"#,
        r#"0"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值(0) 是负数，条件为否：Expected (0) to be less than (0), but was not."#,
    ),
    (
        r#"isNegative"#,
        r#"2.5"#,
        r#"''"#,
        r#"fail"#,
        r#"实际值(2.5) 是负数，条件为否：Expected (2.5) to be less than (0), but was not."#,
    ),
    (
        r#"isGreaterThan"#,
        r#"'10'"#,
        r#"'9'"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"isGreaterThan"#,
        r#"'9'"#,
        r#"'10'"#,
        r#"fail"#,
        r#"实际值(9) 大于 预期值(10)，条件为否：Expected (9) to be greater than (10), but was not."#,
    ),
    (
        r#"isGreaterThan"#,
        r#"5"#,
        r#"5"#,
        r#"fail"#,
        r#"实际值(5) 大于 预期值(5)，条件为否：Expected (5) to be greater than (5), but was not."#,
    ),
    (
        r#"isGreaterThan"#,
        r#"'1.5'"#,
        r#"1"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"isGreaterThanOrEqualTo"#,
        r#"5"#,
        r#"'5'"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"isGreaterThanOrEqualTo"#,
        r#"4"#,
        r#"'5'"#,
        r#"fail"#,
        r#"实际值(4) 大于等于 预期值(5)，条件为否：Expected (4) to be greater than or equal to (5), but was not."#,
    ),
    (r#"isLessThan"#, r#"'1'"#, r#"'2'"#, r#"pass"#, r#"success"#),
    (
        r#"isLessThan"#,
        r#"'2'"#,
        r#"'2'"#,
        r#"fail"#,
        r#"实际值(2) 小于 预期值(2)，条件为否：Expected (2) to be less than (2), but was not."#,
    ),
    (
        r#"isLessThanOrEqualTo"#,
        r#"'2'"#,
        r#"'2'"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"isLessThanOrEqualTo"#,
        r#"'3'"#,
        r#"'2.5'"#,
        r#"fail"#,
        r#"实际值(3) 小于等于 预期值(2.5)，条件为否：Expected (3) to be less than or equal to (2.5), but was not."#,
    ),
    (
        r#"isBetween"#,
        r#"'5'"#,
        r#"'[1, 10]'"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"isBetween"#,
        r#"'15'"#,
        r#"'[1, 10]'"#,
        r#"fail"#,
        r#"实际值(15) 在 预期值([1, 10]) 之间，条件为否：Expected (15) to be between (1) and (10), but was not."#,
    ),
    (r#"isBetween"#, r#"1"#, r#"[1, 1]"#, r#"pass"#, r#"success"#),
    (
        r#"isBetween"#,
        r#"0.5"#,
        r#"'[1, 10.5]'"#,
        r#"fail"#,
        r#"实际值(0.5) 在 预期值([1, 10.5]) 之间，条件为否：Expected (0.5) to be between (1) and (10.5), but was not."#,
    ),
    (
        r#"isCloseTo"#,
        r#"'10'"#,
        r#"'[9, 1]'"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"isCloseTo"#,
        r#"'10'"#,
        r#"'[8, 1]'"#,
        r#"fail"#,
        r#"实际值(10) 接近于 预期值([8, 1])，条件为否：Expected (10) to be close to (8) within tolerance (1), but was not."#,
    ),
    (
        r#"isCloseTo"#,
        r#"10.5"#,
        r#"'[10, 0.5]'"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"isCloseTo"#,
        r#"12"#,
        r#"[10, 1.5]"#,
        r#"fail"#,
        r#"实际值(12) 接近于 预期值([10, 1.5])，条件为否：Expected (12) to be close to (10) within tolerance (1.5), but was not."#,
    ),
    (
        r#"listLenEqual"#,
        r#"[1, 2]"#,
        r#"'2'"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"listLenEqual"#,
        r#"'[1, 2, 3]'"#,
        r#"2"#,
        r#"fail"#,
        r#"实际值([1, 2, 3]) 列表长度相等 预期值(2)，条件为否：Expected (3) to be equal to (2), but was not."#,
    ),
    (
        r#"listLenEqual"#,
        r#"[1]"#,
        r#"'x'"#,
        r#"fail"#,
        r#"实际值([1]) 列表长度相等 预期值(x)，条件为否：Expected (1) to be equal to (x), but was not."#,
    ),
    (
        r#"listLenGreaterThan"#,
        r#"[1, 2]"#,
        r#"'1'"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"listLenGreaterThan"#,
        r#"[1, 2]"#,
        r#"'2'"#,
        r#"fail"#,
        r#"实际值([1, 2]) 列表长度大于 预期值(2)，条件为否：Expected (2) to be greater than (2), but was not."#,
    ),
    (
        r#"listLenLessThan"#,
        r#"[1, 2]"#,
        r#"'2'"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"listLenLessThan"#,
        r#"[1, 2]"#,
        r#"'3'"#,
        r#"pass"#,
        r#"success"#,
    ),
    (
        r#"listLenLessThan"#,
        r#"[1, 2, 3]"#,
        r#"'2'"#,
        r#"fail"#,
        r#"实际值([1, 2, 3]) 列表长度小于 预期值(2)，条件为否：Expected (3) to be less than or equal to (2), but was not."#,
    ),
    (r#"nope"#, r#"1"#, r#"1"#, r#"err"#, r#"没有nope该断言类型"#),
    (
        r#"contains"#,
        r#"5"#,
        r#"'5'"#,
        r#"err"#,
        r#"argument of type 'int' is not iterable"#,
    ),
    (
        r#"contains"#,
        r#"'5'"#,
        r#"5"#,
        r#"err"#,
        r#"'in <string>' requires string as left operand, not int"#,
    ),
    (
        r#"notEmpty"#,
        r#"None"#,
        r#"''"#,
        r#"err"#,
        r#"object of type 'NoneType' has no len()"#,
    ),
    (
        r#"empty"#,
        r#"5"#,
        r#"''"#,
        r#"err"#,
        r#"object of type 'int' has no len()"#,
    ),
    (
        r#"isInt"#,
        r#"5"#,
        r#"''"#,
        r#"err"#,
        r#"val is not a string"#,
    ),
    (r#"isInt"#, r#"''"#, r#"''"#, r#"err"#, r#"val is empty"#),
    (
        r#"isLetter"#,
        r#"None"#,
        r#"''"#,
        r#"err"#,
        r#"val is not a string"#,
    ),
    (
        r#"startWith"#,
        r#"'a'"#,
        r#"None"#,
        r#"err"#,
        r#"given prefix arg must not be none"#,
    ),
    (
        r#"startWith"#,
        r#"'a'"#,
        r#"''"#,
        r#"err"#,
        r#"given prefix arg must not be empty"#,
    ),
    (
        r#"startWith"#,
        r#"[]"#,
        r#"1"#,
        r#"err"#,
        r#"val must not be empty"#,
    ),
    (
        r#"startWith"#,
        r#"5"#,
        r#"'5'"#,
        r#"err"#,
        r#"val is not a string or iterable"#,
    ),
    (
        r#"startWith"#,
        r#"'a'"#,
        r#"1"#,
        r#"err"#,
        r#"given prefix arg must be a string"#,
    ),
    (
        r#"isPositive"#,
        r#"'5'"#,
        r#"''"#,
        r#"err"#,
        r#"ordering is not defined for type <str>"#,
    ),
    (
        r#"isNegative"#,
        r#"None"#,
        r#"''"#,
        r#"err"#,
        r#"ordering is not defined for type <NoneType>"#,
    ),
    (
        r#"isGreaterThan"#,
        r#"'abc'"#,
        r#"'1'"#,
        r#"err"#,
        r#"ordering is not defined for type <str>"#,
    ),
    (
        r#"isGreaterThan"#,
        r#"'1'"#,
        r#"'abc'"#,
        r#"err"#,
        r#"given arg must be a number, but was <str>"#,
    ),
    (
        r#"isGreaterThan"#,
        r#"'1'"#,
        r#"''"#,
        r#"err"#,
        r#"given arg must be a number, but was <NoneType>"#,
    ),
    (
        r#"isGreaterThan"#,
        r#"True"#,
        r#"1"#,
        r#"err"#,
        r#"object of type 'bool' has no len()"#,
    ),
    (
        r#"isZero"#,
        r#"'abc'"#,
        r#"''"#,
        r#"err"#,
        r#"val is not numeric"#,
    ),
    (
        r#"equalsNumber"#,
        r#"'-'"#,
        r#"'1'"#,
        r#"err"#,
        r#"invalid literal for int() with base 10: '-'"#,
    ),
    (
        r#"equalsNumber"#,
        r#"'.'"#,
        r#"'1'"#,
        r#"err"#,
        r#"could not convert string to float: '.'"#,
    ),
    (
        r#"isBetween"#,
        r#"'5'"#,
        r#"'15'"#,
        r#"err"#,
        r#"given low arg must be numeric, but was <str>"#,
    ),
    (
        r#"isBetween"#,
        r#"'abc'"#,
        r#"'[1, 2]'"#,
        r#"err"#,
        r#"ordering is not defined for type <str>"#,
    ),
    (
        r#"isBetween"#,
        r#"'5'"#,
        r#"'[10, 1]'"#,
        r#"err"#,
        r#"given low arg must be less than given high arg"#,
    ),
    (
        r#"isBetween"#,
        r#"'5'"#,
        r#"'[1]'"#,
        r#"err"#,
        r#"is_between() missing 1 required positional argument: 'high'"#,
    ),
    (
        r#"isBetween"#,
        r#"'5'"#,
        r#"'[1, 2, 3]'"#,
        r#"err"#,
        r#"is_between() takes 3 positional arguments but 4 were given"#,
    ),
    (
        r#"isBetween"#,
        r#"'5'"#,
        r#"5"#,
        r#"err"#,
        r#"argument after * must be an iterable, not int"#,
    ),
    (
        r#"isCloseTo"#,
        r#"'5'"#,
        r#"'[1, -1]'"#,
        r#"err"#,
        r#"given tolerance arg must be positive"#,
    ),
    (
        r#"isCloseTo"#,
        r#"'abc'"#,
        r#"'[1, 1]'"#,
        r#"err"#,
        r#"val is not numeric or datetime"#,
    ),
    (
        r#"isCloseTo"#,
        r#"'5'"#,
        r#"'["a", 1]'"#,
        r#"err"#,
        r#"given arg must be numeric"#,
    ),
    (
        r#"listLenEqual"#,
        r#"'abc'"#,
        r#"'1'"#,
        r#"err"#,
        r#"传入实际值(abc) 不是列表格式"#,
    ),
    (
        r#"listLenGreaterThan"#,
        r#"[1]"#,
        r#"'x'"#,
        r#"err"#,
        r#"given arg must be a number, but was <str>"#,
    ),
    (
        r#"listLenEqual"#,
        r#"None"#,
        r#"'1'"#,
        r#"err"#,
        r#"传入实际值(None) 不是列表格式"#,
    ),
    (
        r#"equalIgnoreCase"#,
        r#"'a'"#,
        r#"1"#,
        r#"err"#,
        r#"given arg must be a string"#,
    ),
    (
        r#"notContains"#,
        r#"'abc'"#,
        r#"[1]"#,
        r#"err"#,
        r#"'in <string>' requires string as left operand, not int"#,
    ),
    (
        r#"notContains"#,
        r#"5"#,
        r#"['a']"#,
        r#"err"#,
        r#"argument of type 'int' is not iterable"#,
    ),
    (
        r#"equalsList"#,
        r#"True"#,
        r#"'[1]'"#,
        r#"err"#,
        r#"object of type 'bool' has no len()"#,
    ),
    (
        r#"equalsList"#,
        r#"(1,)"#,
        r#"'[1]'"#,
        r#"err"#,
        r#"'tuple' object has no attribute 'startswith'"#,
    ),
    (
        r#"containsOnly"#,
        r#"5"#,
        r#"[1]"#,
        r#"err"#,
        r#"'int' object is not iterable"#,
    ),
    (
        r#"notContains"#,
        r#"'abc'"#,
        r#"'[]'"#,
        r#"err"#,
        r#"one or more args must be given"#,
    ),
    (
        r#"isIn"#,
        r#"1"#,
        r#"[]"#,
        r#"err"#,
        r#"one or more args must be given"#,
    ),
];

#[test]
fn python_vectors() {
    let mut bad = Vec::new();
    for (c, a, e, kind, msg) in PYTHON_VECTORS {
        let got = run(c, &lit(a), &lit(e));
        if got.0 != *kind || got.1 != *msg {
            bad.push(format!(
                "{c} {a} {e}\n  want {kind}: {msg}\n  got  {}: {}",
                got.0, got.1
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn every_comparator_has_pass_and_fail_vectors() {
    let mut pass = HashSet::new();
    let mut fail = HashSet::new();
    for (c, _, _, kind, _) in PYTHON_VECTORS {
        if let Some(cmp) = Comparator::resolve(c) {
            match *kind {
                "pass" => pass.insert(cmp),
                "fail" => fail.insert(cmp),
                _ => false,
            };
        }
    }
    for cmp in Comparator::all() {
        // notContains/containsOnly fail vectors below use list expects (A18 changes strings).
        assert!(pass.contains(&cmp), "no pass vector for {cmp:?}");
        assert!(fail.contains(&cmp), "no fail vector for {cmp:?}");
    }
}

#[test]
fn spec_examples() {
    // §4.1 default-style equals failure.
    assert_eq!(
        fail_msg("相等", &s("7"), &s("8")),
        "实际值(7)与预期值(8) 字符相等，条件为否：Expected (7) to be equal to (8), but was not."
    );
    // §4.5 example, expressed with a list expect since A18 Fix no longer splits "lx".
    assert_eq!(
        fail_msg("notContains", &s("hello"), &s("['l', 'x']")),
        "实际值(hello) 不包含 预期值(['l', 'x'])，条件为否：Expected (hello) to not contain items ('l', 'x'), but did contain (l>."
    );
    // §4.5 dict equality: only differing entries.
    assert_eq!(
        fail_msg(
            "equalsDict",
            &lit("{'b': 1, 'a': 1}"),
            &s("{'a': 2, 'b': 1}")
        ),
        "实际值({'b': 1, 'a': 1})与预期值({'a': 2, 'b': 1}) 对象相等，条件为否：Expected ({.., 'a': 1}) to be equal to ({.., 'a': 2}), but was not."
    );
    // §4.5 item list formatting with mixed types.
    assert_eq!(
        fail_msg("isIn", &s("z"), &s("[1, 'a', 2.5]")),
        "实际值(z) 被包含在 预期值([1, 'a', 2.5]) 列表中，条件为否：Expected (z) to be in (1, 'a', 2.5), but was not."
    );
    // §4.5 object actual for contains goes through to_str, so "contain item".
    assert_eq!(
        fail_msg("contains", &lit("{'a': 1}"), &s("b")),
        "实际值({'a': 1}) 包含 预期值(b)，条件为否：Expected ({'a': 1}) to contain item (b), but did not."
    );
    // WEB: element size dict stringified the Python way; equals is format-sensitive.
    let size = lit("{'height': 20, 'width': 100}");
    assert!(passes("equals", &size, &s("{'height': 20, 'width': 100}")));
    assert!(!passes("equals", &size, &s("{'width': 100, 'height': 20}")));
    assert!(passes(
        "equalsDict",
        &size,
        &s("{'width': 100, 'height': 20}")
    ));
    // §4.3: list comparison is ordered, numbers compare across int/float.
    assert!(passes("equalsList", &lit("[1, 2.0]"), &s("[1.0, 2]")));
    assert!(!passes("equalsList", &lit("[2, 1]"), &s("[1, 2]")));
}

#[test]
fn outcome_helpers() {
    assert_eq!(Outcome::Pass.message(), "success");
    assert!(Outcome::Pass.is_pass());
    let f = Outcome::Fail("x".into());
    assert_eq!(f.message(), "x");
    assert!(!f.is_pass());
}

#[test]
fn every_alias_resolves() {
    let expected: &[(&str, Comparator)] = &[
        ("equals", Comparator::Equals),
        ("equal", Comparator::Equals),
        ("相等", Comparator::Equals),
        ("字符相等", Comparator::Equals),
        ("equalsList", Comparator::EqualsList),
        ("数组相等", Comparator::EqualsList),
        ("equalsDict", Comparator::EqualsDict),
        ("对象相等", Comparator::EqualsDict),
        ("equalsNumber", Comparator::EqualsNumber),
        ("数字相等", Comparator::EqualsNumber),
        ("数值相等", Comparator::EqualsNumber),
        ("equalIgnoreCase", Comparator::EqualIgnoreCase),
        ("相等(忽略大小写)", Comparator::EqualIgnoreCase),
        ("notEqual", Comparator::NotEqual),
        ("does not equal", Comparator::NotEqual),
        ("不等于", Comparator::NotEqual),
        ("contains", Comparator::Contains),
        ("包含", Comparator::Contains),
        ("notContains", Comparator::NotContains),
        ("does no contains", Comparator::NotContains),
        ("不包含", Comparator::NotContains),
        ("containsOnly", Comparator::ContainsOnly),
        ("仅包含", Comparator::ContainsOnly),
        ("isNone", Comparator::IsNone),
        ("none/null", Comparator::IsNone),
        ("notEmpty", Comparator::NotEmpty),
        ("is not empty", Comparator::NotEmpty),
        ("不为空", Comparator::NotEmpty),
        ("empty", Comparator::Empty),
        ("is empty", Comparator::Empty),
        ("为空", Comparator::Empty),
        ("isTrue", Comparator::IsTrue),
        ("true", Comparator::IsTrue),
        ("isFalse", Comparator::IsFalse),
        ("false", Comparator::IsFalse),
        ("isStrType", Comparator::IsStrType),
        ("字符串", Comparator::IsStrType),
        ("isIntType", Comparator::IsIntType),
        ("整数", Comparator::IsIntType),
        ("isFloatType", Comparator::IsFloatType),
        ("浮点数", Comparator::IsFloatType),
        ("isInt", Comparator::IsInt),
        ("is a number", Comparator::IsInt),
        ("仅含数字", Comparator::IsInt),
        ("isLetter", Comparator::IsLetter),
        ("仅含字母", Comparator::IsLetter),
        ("isLower", Comparator::IsLower),
        ("小写", Comparator::IsLower),
        ("isUpper", Comparator::IsUpper),
        ("大写", Comparator::IsUpper),
        ("startWith", Comparator::StartWith),
        ("开头是", Comparator::StartWith),
        ("endWith", Comparator::EndWith),
        ("结尾是", Comparator::EndWith),
        ("isIn", Comparator::IsIn),
        ("has item", Comparator::IsIn),
        ("包含对象", Comparator::IsIn),
        ("被包含", Comparator::IsIn),
        ("isNotIn", Comparator::IsNotIn),
        ("不被包含", Comparator::IsNotIn),
        ("isNotZero", Comparator::IsNotZero),
        ("非0", Comparator::IsNotZero),
        ("isZero", Comparator::IsZero),
        ("为0", Comparator::IsZero),
        ("isPositive", Comparator::IsPositive),
        ("正数", Comparator::IsPositive),
        ("isNegative", Comparator::IsNegative),
        ("负数", Comparator::IsNegative),
        ("isGreaterThan", Comparator::IsGreaterThan),
        (" 大于", Comparator::IsGreaterThan),
        ("isGreaterThanOrEqualTo", Comparator::IsGreaterThanOrEqualTo),
        ("greater than or equal", Comparator::IsGreaterThanOrEqualTo),
        (">=", Comparator::IsGreaterThanOrEqualTo),
        (" 大于等于", Comparator::IsGreaterThanOrEqualTo),
        ("isLessThan", Comparator::IsLessThan),
        (" 小于", Comparator::IsLessThan),
        ("isLessThanOrEqualTo", Comparator::IsLessThanOrEqualTo),
        ("less than or equal", Comparator::IsLessThanOrEqualTo),
        ("<=", Comparator::IsLessThanOrEqualTo),
        (" 小于等于", Comparator::IsLessThanOrEqualTo),
        ("isBetween", Comparator::IsBetween),
        (" 在...之间", Comparator::IsBetween),
        ("isCloseTo", Comparator::IsCloseTo),
        (" 接近于", Comparator::IsCloseTo),
        ("listLenEqual", Comparator::ListLenEqual),
        ("列表长度相等", Comparator::ListLenEqual),
        ("listLenGreaterThan", Comparator::ListLenGreaterThan),
        ("列表长度大于", Comparator::ListLenGreaterThan),
        ("listLenLessThan", Comparator::ListLenLessThan),
        ("列表长度小于", Comparator::ListLenLessThan),
    ];
    for (name, cmp) in expected {
        assert_eq!(Comparator::resolve(name), Some(*cmp), "{name:?}");
    }
    let total: usize = Comparator::all().map(|c| c.aliases().len()).sum();
    assert_eq!(total, expected.len(), "alias table and test list differ");
    assert_eq!(Comparator::all().count(), 38);
    assert_eq!(Comparator::IsGreaterThan.id(), "isGreaterThan");
    // Ids are case-sensitive, as in Python.
    assert_eq!(Comparator::resolve("Equals"), None);
    assert_eq!(Comparator::resolve(""), None);
}

#[test]
fn unknown_comparator_is_an_error() {
    let err = compare("foo", &Value::None, &Value::None).unwrap_err();
    assert_eq!(err, AssertionError::UnknownComparator("foo".into()));
    assert_eq!(err.to_string(), "没有foo该断言类型");
}

#[test]
fn quirk_a16_equals_stringifies_typed_expect() {
    // Python: str(actual) vs typed expect never matched (also WEB Q2). Fix: compare py_str.
    assert!(passes("equals", &s("20"), &Value::Int(20)));
    assert!(passes("equals", &Value::Int(20), &Value::Int(20)));
    assert!(passes("equals", &Value::Bool(true), &Value::Bool(true)));
    assert!(passes("equals", &s("True"), &Value::Bool(true)));
    assert!(passes("equals", &Value::Float(1.5), &Value::Float(1.5)));
    // Still text equality: "true" is not Python's "True", 20 is not "20.0".
    assert!(!passes("equals", &s("true"), &Value::Bool(true)));
    assert_eq!(
        fail_msg("equals", &Value::Int(20), &Value::Float(20.0)),
        "实际值(20)与预期值(20.0) 字符相等，条件为否：Expected (20) to be equal to (20.0), but was not."
    );
}

#[test]
fn quirk_a17_not_equal_compares_raw_values() {
    assert!(passes("notEqual", &Value::Int(7), &s("7")));
    assert!(!passes("notEqual", &Value::Int(1), &Value::Bool(true)));
    assert_eq!(
        fail_msg("不等于", &Value::Int(7), &Value::Float(7.0)),
        "实际值(7) 不等于 预期值(7.0)，条件为否：Expected (7) to be not equal to (7.0), but was."
    );
}

#[test]
fn quirk_a18_non_list_expect_is_one_item() {
    // notContains: "lx" is one substring, not the characters 'l' and 'x'.
    assert!(passes("notContains", &s("hello"), &s("lx")));
    assert_eq!(
        fail_msg("notContains", &s("hello"), &s("ll")),
        "实际值(hello) 不包含 预期值(ll)，条件为否：Expected (hello) to not contain item (ll), but did."
    );
    assert!(passes("notContains", &lit("['ab', 'c']"), &s("a")));
    assert!(!passes("notContains", &lit("['ab', 'c']"), &s("ab")));
    // Numbers are one item too (Python raised "argument after * must be an iterable").
    assert!(passes("notContains", &lit("[1, 2]"), &Value::Int(3)));
    // isIn / isNotIn: a string actual is looked up as a substring of the expected text.
    assert!(passes("isIn", &s("b"), &s("abc")));
    assert!(passes("isIn", &s("bc"), &s("abc")));
    assert_eq!(
        fail_msg("isIn", &s("x"), &s("abc")),
        "实际值(x) 被包含在 预期值(abc) 列表中，条件为否：Expected (x) to be in (abc), but was not."
    );
    assert!(passes("isIn", &Value::Int(5), &Value::Int(5)));
    assert!(passes("isNotIn", &s("x"), &s("abc")));
    assert_eq!(
        fail_msg("isNotIn", &s("bc"), &s("abc")),
        "实际值(bc) 不被包含在 预期值(abc) 列表中，条件为否：Expected (bc) to not be in (abc), but was."
    );
    // containsOnly: the actual must consist of repetitions of the expected text.
    assert!(passes("containsOnly", &s("aaa"), &s("a")));
    assert!(passes("containsOnly", &s("abab"), &s("ab")));
    assert_eq!(
        fail_msg("containsOnly", &s("abxab"), &s("ab")),
        "实际值(abxab) 仅包含 预期值(ab)，条件为否：Expected (abxab) to contain only (ab), but did contain (x>."
    );
    assert_eq!(
        fail_msg("containsOnly", &s("aab"), &s("a")),
        "实际值(aab) 仅包含 预期值(a)，条件为否：Expected (aab) to contain only (a), but did contain (b>."
    );
    assert_eq!(
        fail_msg("containsOnly", &s(""), &s("a")),
        "实际值() 仅包含 预期值(a)，条件为否：Expected () to contain only (a), but did not contain (a>."
    );
    assert!(passes("containsOnly", &lit("['a', 'a']"), &s("a")));
    // Empty / null expectations still raise like Python.
    assert!(compare("isIn", &s("a"), &s("")).is_err());
    assert!(compare("notContains", &s("a"), &Value::None).is_err());
}

#[test]
fn quirk_a19_str2list_parses_json_and_literals_first() {
    // Python split "[true]" into ['ru'] and "['a, b']" into two broken items.
    assert!(passes("equalsList", &lit("[True]"), &s("[true]")));
    assert!(passes("equalsList", &lit("['a, b']"), &s("['a, b']")));
    assert!(passes(
        "equalsList",
        &lit("[[1, 2], 'x']"),
        &s(r#"[[1, 2], "x"]"#)
    ));
    assert!(passes("isIn", &s("a, b"), &s(r#"["a, b", "c"]"#)));
    // Naive split stays as the fallback for text that is neither.
    assert!(passes("equalsList", &lit("['', '']"), &s("[a, b]")));
    assert_eq!(
        fail_msg("listLenEqual", &s("[a, b, c]"), &s("2")),
        "实际值([a, b, c]) 列表长度相等 预期值(2)，条件为否：Expected (3) to be equal to (2), but was not."
    );
}

#[test]
fn quirk_a20_str2dict_accepts_json_literals() {
    // Python's ast.literal_eval raised on true/false/null (step error).
    assert!(passes(
        "equalsDict",
        &lit("{'a': True, 'b': None}"),
        &s(r#"{"a": true, "b": null}"#)
    ));
    assert!(passes(
        "对象相等",
        &s(r#"{"a": false}"#),
        &s("{'a': False}")
    ));
    assert_eq!(
        fail_msg("equalsDict", &s(r#"{"a": true}"#), &s(r#"{"a": false}"#)),
        r#"实际值({"a": true})与预期值({"a": false}) 对象相等，条件为否：Expected ({'a': True}) to be equal to ({'a': False}), but was not."#
    );
    // Neither JSON nor a literal: still a step error, never code evaluation.
    assert!(matches!(
        compare("equalsDict", &s("{__import__('os'): 1}"), &s("{}")),
        Err(AssertionError::Value(_))
    ));
}

#[test]
fn quirk_a21_list_len_less_than_checks_le() {
    // Also WEB Q24.
    assert!(passes("listLenLessThan", &lit("[1, 2]"), &s("2")));
    assert!(passes("列表长度小于", &s("[1]"), &s("2")));
    assert_eq!(
        fail_msg("listLenLessThan", &lit("[1, 2, 3]"), &s("2")),
        "实际值([1, 2, 3]) 列表长度小于 预期值(2)，条件为否：Expected (3) to be less than or equal to (2), but was not."
    );
}

#[test]
fn quirk_a22_trimmed_aliases_and_bu_xiang_deng() {
    for (name, cmp) in [
        ("大于", Comparator::IsGreaterThan),
        ("大于等于", Comparator::IsGreaterThanOrEqualTo),
        ("小于", Comparator::IsLessThan),
        ("小于等于", Comparator::IsLessThanOrEqualTo),
        ("在...之间", Comparator::IsBetween),
        ("接近于", Comparator::IsCloseTo),
        ("不相等", Comparator::NotEqual),
        (" equals ", Comparator::Equals),
        ("  大于", Comparator::IsGreaterThan),
    ] {
        assert_eq!(Comparator::resolve(name), Some(cmp), "{name:?}");
    }
    assert!(passes("大于", &s("10"), &s("9")));
    assert_eq!(
        fail_msg("不相等", &s("a"), &s("a")),
        "实际值(a) 不等于 预期值(a)，条件为否：Expected (a) to be not equal to (a), but was."
    );
    // The unknown-comparator text keeps the name as given.
    assert_eq!(
        compare(" 等于 ", &s("a"), &s("a")).unwrap_err().to_string(),
        "没有 等于 该断言类型"
    );
}

#[test]
fn quirk_a23_type_mismatches_are_errors() {
    for (c, a, e) in [
        ("contains", Value::Int(5), s("5")),
        ("notEmpty", Value::None, s("")),
        ("isPositive", s("5"), s("")),
        ("isGreaterThan", s("abc"), s("1")),
        ("isBetween", s("5"), s("15")),
        ("isInt", Value::Int(5), s("")),
        ("equalIgnoreCase", s("a"), Value::Int(1)),
        ("listLenEqual", s("abc"), s("1")),
        ("startWith", Value::Int(5), s("5")),
    ] {
        let r = compare(c, &a, &e);
        assert!(r.is_err(), "{c}: {r:?}");
    }
    assert_eq!(
        compare("isGreaterThan", &s("1"), &s("abc")).unwrap_err(),
        AssertionError::Type("given arg must be a number, but was <str>".into())
    );
    assert_eq!(
        compare("listLenEqual", &s("abc"), &s("1")).unwrap_err(),
        AssertionError::NotAList("abc".into())
    );
}

#[test]
fn edge_values_never_panic() {
    let samples = [
        Value::None,
        Value::Bool(true),
        Value::Int(i64::MIN),
        Value::Int(i64::MAX),
        Value::Float(f64::NAN),
        Value::Float(f64::NEG_INFINITY),
        s(""),
        s("["),
        s("[]"),
        s("[,]"),
        s("{"),
        s("{}"),
        s("-"),
        s("."),
        s("中"),
        Value::Bytes(vec![0, 255]),
        Value::Bytes(vec![]),
        lit("[1, [2], {'a': None}]"),
        lit("(1, 'a')"),
        lit("{'k': [1.5]}"),
        lit("{}"),
        lit("()"),
    ];
    for cmp in Comparator::all() {
        for a in &samples {
            for e in &samples {
                let _ = compare(cmp.id(), a, e);
            }
        }
    }
}

#[test]
fn numeric_edges() {
    // Exact int/float ordering and overflow-free tolerance arithmetic.
    assert!(passes(
        "isGreaterThan",
        &Value::Int(9_007_199_254_740_993),
        &Value::Float(9_007_199_254_740_992.0)
    ));
    assert!(passes(
        "isCloseTo",
        &Value::Int(i64::MAX),
        &lit("[9223372036854775807, 1]")
    ));
    // NaN comparisons are all false, so "greater than" cannot fail (as in Python).
    assert!(passes(
        "isGreaterThan",
        &Value::Float(f64::NAN),
        &Value::Int(1)
    ));
    assert!(passes("isNotZero", &s("0.5"), &s("")));
    assert_eq!(
        fail_msg("isZero", &s("0.5"), &s("")),
        "实际值(0.5) 是0，条件为否：Expected (0.5) to be equal to (0), but was not."
    );
}
