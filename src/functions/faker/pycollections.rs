//! Python provider's random containers: `pylist`, `pytuple`, `pyset`, `pyiterable`,
//! `pydict`, `pystruct`.
//!
//! Elements come from Faker's default value types (`str` ×4, `float`, `int` ×2,
//! `decimal`, `date_time`, `uri`, `email`), each the zero-argument method `py<type>` or
//! `<type>`; they arrive as the engine's values (datetime → its `str()`, Decimal → float).
//! A set becomes a list without duplicates (Python's hash order is not reproducible); a
//! tuple a `Tuple`. `pystruct`'s nested dicts have int keys, which insertion through JSON
//! turns into strings (`"0"`), so they are string keys here.
//!
//! From a template every argument is text: Faker then fails on the count (`int * str`),
//! so only argument-free calls succeed there, as in Python.

use crate::value::Dict;
use fake::locales::{Data, ZH_CN};
use rand::RngExt;

use super::base::{Rng, randomize_nb_elements};
use crate::value::Value;

/// Python would build any size; the engine refuses beyond this.
const MAX_ELEMENTS: i64 = 100_000;

const DEFAULT_TYPES: &[&str] = &[
    "str",
    "str",
    "str",
    "str",
    "float",
    "int",
    "int",
    "decimal",
    "date_time",
    "uri",
    "email",
];

/// The type names of `_check_signature(value_types, allowed_types)` after the
/// `__name__`/`type().__name__` lowering, minus `excluded`; empty → the defaults.
fn value_types(value_types: Option<&Value>, allowed: &[Value], excluded: &[&str]) -> Vec<String> {
    let mut given: Vec<&Value> = match value_types {
        None | Some(Value::None) => Vec::new(),
        Some(Value::List(items) | Value::Tuple(items)) => items.iter().collect(),
        Some(v) => vec![v],
    };
    given.extend(allowed);
    let names: Vec<String> = given
        .into_iter()
        .map(|t| match t {
            Value::Str(s) => s.clone(),
            other => other.type_name().to_lowercase(),
        })
        .filter(|t| !excluded.contains(&t.as_str()))
        .collect();
    if names.is_empty() {
        DEFAULT_TYPES.iter().map(ToString::to_string).collect()
    } else {
        names
    }
}

/// `_random_type`: `py<type>` when Faker has it, else `<type>`, called without arguments.
fn random_type(r: &mut Rng, types: &[String]) -> Result<Value, String> {
    let t = &types[r.random_range(0..types.len())];
    let py = format!("py{t}");
    let method = if super::exists(&py) { py.as_str() } else { t };
    super::call(method, Vec::new())
}

/// The element count: Python's `randomize_nb_elements(nb, min=1)` when variable.
fn count(r: &mut Rng, nb: Option<&Value>, variable: Option<&Value>) -> Result<i64, String> {
    let variable = variable.is_none_or(Value::truthy);
    let nb = match nb {
        None => 10,
        Some(Value::Int(n)) => *n,
        Some(Value::Bool(b)) => i64::from(*b),
        // `nb * randint(…) / 100` when variable, else `range(nb)`.
        Some(v) if variable => {
            return Err(format!(
                "unsupported operand type(s) for /: '{}' and 'int'",
                v.type_name()
            ));
        }
        Some(v) => {
            return Err(format!(
                "'{}' object cannot be interpreted as an integer",
                v.type_name()
            ));
        }
    };
    let n = match (variable, nb) {
        // Out of range either way; avoids overflow in the randomisation.
        (true, n) if n > MAX_ELEMENTS => n,
        // 60–140 % of a large negative count is below `min=1`.
        (true, n) if n < -MAX_ELEMENTS => 1,
        (true, n) => randomize_nb_elements(r, n, Some(1)),
        (false, n) => n,
    };
    if n > MAX_ELEMENTS {
        return Err(format!("{n} elements are too many for the engine"));
    }
    Ok(n)
}

/// `_pyiterable(nb_elements, variable_nb_elements, value_types, *allowed_types)`.
fn elements(r: &mut Rng, args: &[Value]) -> Result<Vec<Value>, String> {
    let n = count(r, args.first(), args.get(1))?;
    let types = value_types(
        args.get(2),
        args.get(3..).unwrap_or_default(),
        &["iterable", "list", "tuple", "dict", "set"],
    );
    (0..n).map(|_| random_type(r, &types)).collect()
}

/// Whether Python could put the value in a set.
fn hashable(v: &Value) -> bool {
    match v {
        Value::List(_) | Value::Dict(_) => false,
        Value::Tuple(items) => items.iter().all(hashable),
        _ => true,
    }
}

/// `set(...)`: distinct elements (Python `==`, so `1 == 1.0`), first occurrence kept.
fn distinct(items: Vec<Value>) -> Result<Vec<Value>, String> {
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for v in items {
        if !hashable(&v) {
            return Err(format!("unhashable type: '{}'", v.type_name()));
        }
        if !out.iter().any(|o| o.py_eq(&v)) {
            out.push(v);
        }
    }
    Ok(out)
}

pub fn pylist(r: &mut Rng, args: &[Value]) -> Result<Value, String> {
    Ok(Value::List(elements(r, args)?))
}

pub fn pyset(r: &mut Rng, args: &[Value]) -> Result<Value, String> {
    Ok(Value::List(distinct(elements(r, args)?)?))
}

pub fn pytuple(r: &mut Rng, args: &[Value]) -> Result<Value, String> {
    Ok(Value::Tuple(distinct(elements(r, args)?)?))
}

/// `pyiterable`: one of `pylist`, `pytuple`, `pyset`; Faker passes the combined type list
/// and the extra types again, which only changes the weights.
pub fn pyiterable(r: &mut Rng, args: &[Value]) -> Result<Value, String> {
    let allowed = args.get(3..).unwrap_or_default();
    let mut combined: Vec<Value> = match args.get(2) {
        None | Some(Value::None) => Vec::new(),
        Some(Value::List(items) | Value::Tuple(items)) => items.clone(),
        Some(v) => vec![v.clone()],
    };
    combined.extend_from_slice(allowed);
    let mut forwarded: Vec<Value> = args.iter().take(2).cloned().collect();
    while forwarded.len() < 2 {
        forwarded.push(if forwarded.is_empty() {
            Value::Int(10)
        } else {
            Value::Bool(true)
        });
    }
    forwarded.push(Value::Tuple(combined));
    forwarded.extend_from_slice(allowed);
    match r.random_range(0..3) {
        0 => pylist(r, &forwarded),
        1 => pytuple(r, &forwarded),
        _ => pyset(r, &forwarded),
    }
}

/// Distinct words for dict keys (`words(nb, unique=True)` = `random_sample`).
fn unique_words(r: &mut Rng, n: usize) -> Result<Vec<String>, String> {
    let all = <ZH_CN as Data>::LOREM_WORD;
    if n > all.len() {
        return Err("Sample larger than population or is negative".to_string());
    }
    let mut idx: Vec<usize> = (0..all.len()).collect();
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let i = r.random_range(0..idx.len());
        out.push(all[idx.swap_remove(i)].to_string());
    }
    Ok(out)
}

/// `pydict(nb_elements=10, variable_nb_elements=True, value_types=None, *allowed_types)`:
/// distinct Chinese words → random values.
pub fn pydict(r: &mut Rng, args: &[Value]) -> Result<Value, String> {
    let n = count(r, args.first(), args.get(1))?;
    let n_keys = usize::try_from(n)
        .map_err(|_| "Sample larger than population or is negative".to_string())?;
    let keys = unique_words(r, n_keys)?;
    let mut rest = vec![Value::Int(n), Value::Bool(false)];
    rest.extend(args.iter().skip(2).cloned());
    let values = elements(r, &rest)?;
    Ok(Value::Dict(keys.into_iter().zip(values).collect()))
}

/// `pystruct(count=10, value_types=None, *allowed_types)` → `(list, dict, nested dict)`.
pub fn pystruct(r: &mut Rng, args: &[Value]) -> Result<Value, String> {
    let count = match args.first() {
        None => 10,
        Some(Value::Int(n)) => *n,
        Some(Value::Bool(b)) => i64::from(*b),
        Some(v) => {
            return Err(format!(
                "'{}' object cannot be interpreted as an integer",
                v.type_name()
            ));
        }
    };
    if count > MAX_ELEMENTS / 10 {
        return Err(format!("count {count} is too large for the engine"));
    }
    let types = value_types(args.get(1), args.get(2..).unwrap_or_default(), &["struct"]);
    let mut list = Vec::new();
    let mut d = Dict::default();
    let mut nd = Dict::default();
    let rt = |r: &mut Rng| random_type(r, &types);
    for i in 0..count.max(0) {
        d.insert(super::lorem::word(r), rt(r)?);
        list.push(rt(r)?);
        let k = |n: i64| (i + n).to_string();
        let inner = Dict::from_iter([
            (k(0), rt(r)?),
            (k(1), rt(r)?),
            (k(2), Value::List(vec![rt(r)?, rt(r)?])),
        ]);
        let outer = Dict::from_iter([
            (k(0), rt(r)?),
            (k(1), Value::List(vec![rt(r)?, rt(r)?, rt(r)?])),
            (k(2), Value::Dict(inner)),
        ]);
        nd.insert(super::lorem::word(r), Value::Dict(outer));
    }
    Ok(Value::Tuple(vec![
        Value::List(list),
        Value::Dict(d),
        Value::Dict(nd),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_default_element(v: &Value) -> bool {
        matches!(v, Value::Str(_) | Value::Int(_) | Value::Float(_))
    }

    #[test]
    fn lists_sets_tuples() {
        let r = &mut rand::rng();
        for _ in 0..20 {
            let Value::List(l) = pylist(r, &[]).unwrap() else {
                panic!()
            };
            assert!((6..=14).contains(&l.len()), "{}", l.len());
            assert!(l.iter().all(is_default_element));
            let Value::List(s) = pyset(r, &[]).unwrap() else {
                panic!()
            };
            assert!(s.len() <= 14);
            for (i, a) in s.iter().enumerate() {
                assert!(s[i + 1..].iter().all(|b| !a.py_eq(b)));
            }
            assert!(matches!(pytuple(r, &[]).unwrap(), Value::Tuple(_)));
            assert!(matches!(
                pyiterable(r, &[]).unwrap(),
                Value::List(_) | Value::Tuple(_)
            ));
        }
        let fixed = [Value::Int(4), Value::Bool(false), Value::Str("int".into())];
        let Value::List(l) = pylist(r, &fixed).unwrap() else {
            panic!()
        };
        assert_eq!(l.len(), 4);
        assert!(l.iter().all(|v| matches!(v, Value::Int(0..=9999))));
        // A type name without `py` prefix is a plain method.
        let names = [Value::Int(3), Value::Bool(false), Value::Str("name".into())];
        let Value::List(l) = pylist(r, &names).unwrap() else {
            panic!()
        };
        assert!(
            l.iter()
                .all(|v| matches!(v, Value::Str(s) if !s.is_empty()))
        );
    }

    #[test]
    fn dicts_and_struct() {
        let r = &mut rand::rng();
        let Value::Dict(d) = pydict(r, &[]).unwrap() else {
            panic!()
        };
        assert!((6..=14).contains(&d.len()));
        assert!(d.values().all(is_default_element));
        let Value::Tuple(parts) = pystruct(r, &[]).unwrap() else {
            panic!()
        };
        assert_eq!(parts.len(), 3);
        assert!(matches!(&parts[0], Value::List(l) if l.len() == 10));
        let Value::Dict(nd) = &parts[2] else { panic!() };
        assert!(!nd.is_empty());
        for v in nd.values() {
            let Value::Dict(outer) = v else { panic!() };
            assert_eq!(outer.len(), 3);
            let keys: Vec<i64> = outer.keys().map(|k| k.parse().unwrap()).collect();
            assert_eq!(keys[1], keys[0] + 1);
            assert!(matches!(outer.get_index(1), Some((_, Value::List(l))) if l.len() == 3));
            let Some((_, Value::Dict(inner))) = outer.get_index(2) else {
                panic!()
            };
            assert!(matches!(inner.get_index(2), Some((_, Value::List(l))) if l.len() == 2));
        }
    }

    #[test]
    fn template_text_fails_like_faker() {
        let r = &mut rand::rng();
        let t = [Value::Str("5".into())];
        assert!(pylist(r, &t).is_err());
        assert!(pydict(r, &t).is_err());
        assert!(pystruct(r, &t).is_err());
        assert!(pylist(r, &[Value::Int(i64::MAX)]).is_err());
        let structs = [
            Value::Int(2),
            Value::Bool(false),
            Value::Str("struct".into()),
        ];
        assert!(pyset(r, &structs).unwrap_err().contains("unhashable"));
    }
}
