//! Dispatch of the Faker methods whose arguments do not fit [`super::typed`]'s fixed
//! counts: variadic ones (`pylist(…, *allowed_types)`), ones that look at the Python type
//! of each argument (archives, dsv, json), and the structured results (profiles, geo
//! tuples, time series, UPC-E).

use super::base::Rng;
use super::{
    archive, codes, date_time, dsv, fixed_width, geo, json_data, profile, pycollections,
    time_series,
};
use crate::functions::args::Args;
use crate::value::Value;

/// The names handled here.
pub const NAMES: &[&str] = &[
    "tar",
    "zip",
    "json",
    "csv",
    "dsv",
    "psv",
    "tsv",
    "fixed_width",
    "profile",
    "simple_profile",
    "pystruct",
    "pydict",
    "pyiterable",
    "pylist",
    "pyset",
    "pytuple",
    "time_series",
    "pytimezone",
    "local_latlng",
    "location_on_land",
    "upc_e",
];

/// Calls one of [`NAMES`].
pub fn call(name: &str, args: Vec<Value>, r: &mut Rng) -> Result<Value, String> {
    let fixed = |max: usize| Args::new(name, args.clone(), max);
    match name {
        "zip" => fixed(4).and_then(|_| archive::zip(r, &args)),
        "tar" => fixed(4).and_then(|_| archive::tar(r, &args)),
        "dsv" => dsv::dsv(r, args),
        "csv" => dsv::separated(r, name, ',', args),
        "tsv" => dsv::separated(r, name, '\t', args),
        "psv" => dsv::separated(r, name, '|', args),
        "json" => json_data::json(r, args),
        "fixed_width" => fixed_width::fixed_width(r, args),
        "profile" => fixed(2).and_then(|a| profile::profile(r, a.get(0), a.get(1))),
        "simple_profile" => fixed(1)
            .and_then(|a| profile::simple_profile(r, a.get(0)))
            .map(Value::Dict),
        "pystruct" => pycollections::pystruct(r, &args),
        "pydict" => pycollections::pydict(r, &args),
        "pyiterable" => pycollections::pyiterable(r, &args),
        "pylist" => pycollections::pylist(r, &args),
        "pyset" => pycollections::pyset(r, &args),
        "pytuple" => pycollections::pytuple(r, &args),
        "time_series" => time_series::time_series(r, args),
        "pytimezone" => date_time::pytimezone(r, args.len()).map(Value::Str),
        "local_latlng" => fixed(2).map(|a| geo::local_latlng(r, a.get(0), a.get(1))),
        "location_on_land" => fixed(1).map(|a| geo::location_on_land(r, a.get(0))),
        "upc_e" => fixed(3)
            .and_then(|a| codes::upc_e(r, a.get(0), a.get(1), a.get(2)))
            .map(Value::Str),
        other => Err(format!("'Generator' object has no attribute '{other}'")),
    }
}
