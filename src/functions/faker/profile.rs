//! Profile provider: `simple_profile(sex=None)` and `profile(fields=None, sex=None)`.
//!
//! Python returns a dict holding a `date` (birthdate) and a tuple of `Decimal`s
//! (current_location); the engine inserts the date as its `str()` (`1990-01-31`) and the
//! decimals as floats, like the other date/Decimal methods. `fields` from a template is
//! text, and Faker's `k in fields` is then a substring test (`profile(username)` keeps
//! `username` and `name`); a list keeps the keys it contains.

use crate::value::Dict;
use rand::RngExt;

use super::base::{Rng, pick, randint};
use super::{address, company, date_time, finance, internet, person, ssn};
use crate::value::Value;

fn s(v: String) -> Value {
    Value::Str(v)
}

/// `simple_profile(sex=None)`: `sex` must be exactly `F` or `M`, else it is random.
pub fn simple_profile(r: &mut Rng, sex: Option<&Value>) -> Result<Dict, String> {
    let sex = match sex {
        Some(Value::Str(x)) if x == "F" || x == "M" => x.clone(),
        _ => pick(r, &["F", "M"]).to_string(),
    };
    let name = if sex == "F" {
        person::name_female(r)
    } else {
        person::name_male(r)
    };
    Ok(Dict::from_iter([
        ("username".to_string(), s(internet::user_name(r))),
        ("name".to_string(), s(name)),
        ("sex".to_string(), s(sex)),
        ("address".to_string(), s(address::address(r))),
        ("mail".to_string(), s(internet::free_email(r))),
        ("birthdate".to_string(), s(date_time::date_of_birth(r)?)),
    ]))
}

/// Whether Python's `k in fields` holds.
fn selected(fields: &Value, key: &str) -> bool {
    match fields {
        Value::Str(t) => t.contains(key),
        Value::List(items) | Value::Tuple(items) => {
            items.iter().any(|i| matches!(i, Value::Str(x) if x == key))
        }
        Value::Dict(m) => m.contains_key(key),
        _ => false,
    }
}

/// `profile(fields=None, sex=None)`.
pub fn profile(r: &mut Rng, fields: Option<&Value>, sex: Option<&Value>) -> Result<Value, String> {
    let fields = match fields {
        None | Some(Value::None) => None,
        Some(f) => match f.py_len() {
            Some(0) => None,
            Some(_) => Some(f),
            None => return Err(format!("object of type '{}' has no len()", f.type_name())),
        },
    };
    let groups = ["A", "B", "AB", "O"];
    let blood = format!(
        "{}{}",
        pick(r, &groups),
        if r.random_bool(0.5) { "+" } else { "-" }
    );
    let sites = randint(r, 2, 5)? - 1;
    let website = (0..sites)
        .map(|_| internet::url(r).map(Value::Str))
        .collect::<Result<Vec<_>, _>>()?;
    let mut d = Dict::from_iter([
        ("job".to_string(), s(company::job(r))),
        ("company".to_string(), s(company::company(r))),
        ("ssn".to_string(), s(ssn::ssn(r, 18, 90, None)?)),
        ("residence".to_string(), s(address::address(r))),
        (
            "current_location".to_string(),
            Value::Tuple(vec![
                Value::Float(finance::latitude(r)),
                Value::Float(finance::longitude(r)),
            ]),
        ),
        ("blood_group".to_string(), s(blood)),
        ("website".to_string(), Value::List(website)),
    ]);
    d.extend(simple_profile(r, sex)?);
    if let Some(f) = fields {
        d.retain(|k, _| selected(f, k));
    }
    Ok(Value::Dict(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: [&str; 13] = [
        "job",
        "company",
        "ssn",
        "residence",
        "current_location",
        "blood_group",
        "website",
        "username",
        "name",
        "sex",
        "address",
        "mail",
        "birthdate",
    ];

    #[test]
    fn profile_has_fakers_keys_and_shapes() {
        let r = &mut rand::rng();
        for _ in 0..50 {
            let Value::Dict(d) = profile(r, None, None).unwrap() else {
                panic!()
            };
            assert_eq!(d.keys().map(String::as_str).collect::<Vec<_>>(), KEYS);
            assert!(matches!(&d["website"], Value::List(w) if (1..=4).contains(&w.len())));
            assert!(matches!(&d["current_location"], Value::Tuple(t) if t.len() == 2));
            let Value::Str(b) = &d["blood_group"] else {
                panic!()
            };
            assert!(["A", "B", "AB", "O"].contains(&b.trim_end_matches(['+', '-'])));
            let Value::Str(bd) = &d["birthdate"] else {
                panic!()
            };
            assert!(chrono::NaiveDate::parse_from_str(bd, "%Y-%m-%d").is_ok());
            assert!(matches!(&d["ssn"], Value::Str(x) if x.len() == 18));
        }
    }

    #[test]
    fn sex_and_field_selection() {
        let r = &mut rand::rng();
        let s = |t: &str| Value::Str(t.to_string());
        let p = simple_profile(r, Some(&s("F"))).unwrap();
        assert_eq!(p["sex"], s("F"));
        assert_eq!(p.len(), 6);
        let p = simple_profile(r, Some(&s("f"))).unwrap();
        assert!(p["sex"] == s("F") || p["sex"] == s("M"));
        // Substring semantics of `k in "username"`.
        let Value::Dict(d) = profile(r, Some(&s("username")), Some(&s("M"))).unwrap() else {
            panic!()
        };
        assert_eq!(d.keys().collect::<Vec<_>>(), ["username", "name"]);
        let Value::Dict(d) = profile(r, Some(&s("")), None).unwrap() else {
            panic!()
        };
        assert_eq!(d.len(), 13);
        let list = Value::List(vec![s("job"), s("sex")]);
        let Value::Dict(d) = profile(r, Some(&list), None).unwrap() else {
            panic!()
        };
        assert_eq!(d.keys().collect::<Vec<_>>(), ["job", "sex"]);
        assert!(profile(r, Some(&Value::Int(1)), None).is_err());
    }
}
