//! The built-in function library behind `{{@name(args)}}` (api-cases section 3): the LiuMa
//! provider (files, base64, arithmetic, time, collections, pinyin, strings) and the Faker
//! 6.0.0 `zh_CN` methods.
//!
//! The template renderer converts argument pieces per [`Library::param_types`] before
//! calling [`Library::call`]; `call` still validates count and types (a `Str` reaching a
//! typed parameter is converted with the template rules) and applies the Python defaults
//! for missing trailing arguments.

mod args;
mod arithmetic;
mod b64;
pub mod faker;
mod files;
mod lm_provider;
pub mod params;
mod pinyin;
mod strftime;
mod time;

use std::path::PathBuf;
use std::sync::Arc;

pub use arithmetic::arithmetic as eval_arithmetic;
pub use files::{FETCH_FAILED, FileSource};
pub use params::ParamType;
pub use strftime::strftime;

use crate::value::Value;
use args::Args;
use time::Unit;

/// The LiuMa provider's functions (lm_provider.py), all with a type table.
pub const LM_FUNCTIONS: &[&str] = &[
    "loadfile",
    "savefile",
    "b64encode_str",
    "b64encode_bytes",
    "b64encode_file",
    "b64decode_toStr",
    "b64decode_toBytes",
    "arithmetic",
    "current_time",
    "year_shift",
    "month_shift",
    "week_shift",
    "date_shift",
    "hour_shift",
    "minute_shift",
    "second_shift",
    "lenof",
    "indexof",
    "keyof",
    "pinyin",
    "substing",
    "extract",
    "replace",
    "map_dumps",
    "array_dumps",
];

/// Built-in functions; per-case custom functions are layered on top elsewhere.
pub struct Library {
    files: Option<Arc<dyn FileSource>>,
    file_dir: PathBuf,
}

impl Library {
    /// `files`: the platform's test files; `file_dir`: `<engine>/file` for `savefile`.
    pub fn new(files: Option<Arc<dyn FileSource>>, file_dir: PathBuf) -> Library {
        Library { files, file_dir }
    }

    /// The parameter-type table of a built-in; `None` for functions without one (Faker
    /// methods outside `params_enum.py`, which receive raw strings).
    pub fn param_types(&self, name: &str) -> Option<Vec<ParamType>> {
        params::builtin_param_types(name).map(<[ParamType]>::to_vec)
    }

    /// Whether the Python engine has a built-in of this name (including the Faker
    /// methods that fail here with an explanation, see [`faker::UNSUPPORTED`]).
    pub fn exists(&self, name: &str) -> bool {
        LM_FUNCTIONS.contains(&name) || faker::exists(name)
    }

    /// Whether `name` is implemented (callable with a chance of success).
    pub fn is_supported(&self, name: &str) -> bool {
        LM_FUNCTIONS.contains(&name) || faker::is_supported(name)
    }

    /// Calls a built-in. Errors carry the Python engine's text where it has one
    /// (`四则运算表达式错误:<expr>`, `拉取测试文件失败`).
    pub fn call(&self, name: &str, args: Vec<Value>) -> Result<Value, String> {
        let args = match params::builtin_param_types(name) {
            Some(types) => {
                if args.len() > types.len() {
                    return Err(format!(
                        "{name}() takes at most {} argument{} ({} given)",
                        types.len(),
                        if types.len() == 1 { "" } else { "s" },
                        args.len()
                    ));
                }
                args.into_iter()
                    .zip(types)
                    .enumerate()
                    .map(|(i, (v, t))| params::coerce(name, i, *t, v))
                    .collect::<Result<Vec<_>, _>>()?
            }
            None => args,
        };
        if LM_FUNCTIONS.contains(&name) {
            return self.call_lm(name, args);
        }
        faker::call(name, args)
    }

    fn call_lm(&self, name: &str, args: Vec<Value>) -> Result<Value, String> {
        let max = params::builtin_param_types(name).map_or(0, <[ParamType]>::len);
        let a = Args::new(name, args, max)?;
        let files = self.files.as_ref();
        match name {
            "loadfile" => files::loadfile(files, &a),
            "savefile" => files::savefile(files, &self.file_dir, &a),
            "b64encode_file" => files::b64encode_file(files, &a),
            "b64encode_str" => b64::b64encode_str(&a),
            "b64encode_bytes" => b64::b64encode_bytes(&a),
            "b64decode_toStr" => b64::b64decode_to_str(&a),
            "b64decode_toBytes" => b64::b64decode_to_bytes(&a),
            "arithmetic" => arithmetic::arithmetic(a.req_str(0, "expression")?),
            "current_time" => time::current_time(&a),
            "year_shift" => time::shift(&a, Unit::Years),
            "month_shift" => time::shift(&a, Unit::Months),
            "week_shift" => time::shift(&a, Unit::Weeks),
            "date_shift" => time::shift(&a, Unit::Days),
            "hour_shift" => time::shift(&a, Unit::Hours),
            "minute_shift" => time::shift(&a, Unit::Minutes),
            "second_shift" => time::shift(&a, Unit::Seconds),
            "lenof" => lm_provider::lenof(&a),
            "indexof" => lm_provider::indexof(&a),
            "keyof" => lm_provider::keyof(&a),
            "pinyin" => lm_provider::pinyin(&a),
            "substing" => lm_provider::substing(&a),
            "extract" => lm_provider::extract(&a),
            "replace" => lm_provider::replace(&a),
            "map_dumps" | "array_dumps" => lm_provider::dumps(&a),
            _ => Err(format!("'Generator' object has no attribute '{name}'")),
        }
    }
}

#[cfg(test)]
mod tests;
