//! Geo provider's land locations: `local_latlng` and `location_on_land`.
//!
//! zh_CN has no geo provider, so Faker falls back to en_US, which uses the base provider's
//! `land_coords` table ([`LAND_COORDS`]). Python returns the table's tuple of strings (or
//! the first two for `coords_only`); the engine inserts it as a tuple of strings.

use rand::RngExt;

use super::base::Rng;
use super::geo_data::{LAND_COORDS, Place};
use crate::value::Value;

/// Python truthiness of an optional argument (`coords_only` given as template text is a
/// non-empty string, hence true even when it reads `False`).
fn flag(v: Option<&Value>) -> bool {
    v.is_some_and(Value::truthy)
}

fn place_value(p: &Place, coords_only: bool) -> Value {
    let s = |t: &str| Value::Str(t.to_string());
    if coords_only {
        Value::Tuple(vec![s(p.0), s(p.1)])
    } else {
        Value::Tuple(vec![s(p.0), s(p.1), s(p.2), s(p.3), s(p.4)])
    }
}

/// `local_latlng(country_code='US', coords_only=False)`: a place of that country, or
/// `None` when the table has none (Python compares the code with `==`, so a non-string
/// code never matches).
pub fn local_latlng(r: &mut Rng, country: Option<&Value>, coords_only: Option<&Value>) -> Value {
    let code = match country {
        None => Some("US"),
        Some(Value::Str(c)) => Some(c.as_str()),
        Some(_) => None,
    };
    let Some(code) = code else {
        return Value::None;
    };
    let matches: Vec<&Place> = LAND_COORDS.iter().filter(|p| p.3 == code).collect();
    if matches.is_empty() {
        return Value::None;
    }
    place_value(matches[r.random_range(0..matches.len())], flag(coords_only))
}

/// `location_on_land(coords_only=False)`: any place of the table.
pub fn location_on_land(r: &mut Rng, coords_only: Option<&Value>) -> Value {
    let p = &LAND_COORDS[r.random_range(0..LAND_COORDS.len())];
    place_value(p, flag(coords_only))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(v: &Value) -> Vec<String> {
        match v {
            Value::Tuple(items) => items
                .iter()
                .map(|i| match i {
                    Value::Str(s) => s.clone(),
                    other => panic!("{other:?}"),
                })
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn places_have_faker_shape() {
        let r = &mut rand::rng();
        assert_eq!(LAND_COORDS.len(), 958);
        for _ in 0..100 {
            let p = strs(&local_latlng(r, None, None));
            assert_eq!(p.len(), 5);
            assert_eq!(p[3], "US");
            assert!(p[0].parse::<f64>().is_ok() && p[1].parse::<f64>().is_ok());
            assert!(p[4].contains('/'));
            let cn = strs(&local_latlng(r, Some(&Value::Str("CN".into())), None));
            assert_eq!(cn[3], "CN");
            let any = strs(&location_on_land(r, None));
            assert_eq!(any.len(), 5);
            // Template text is always truthy, even `False`.
            let c = strs(&location_on_land(r, Some(&Value::Str("False".into()))));
            assert_eq!(c.len(), 2);
            assert_eq!(
                strs(&location_on_land(r, Some(&Value::Str(String::new())))).len(),
                5
            );
        }
        assert_eq!(
            local_latlng(r, Some(&Value::Str("XX".into())), None),
            Value::None
        );
        assert_eq!(local_latlng(r, Some(&Value::Int(1)), None), Value::None);
    }
}
