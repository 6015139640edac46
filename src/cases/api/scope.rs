//! What templates of one case can call: the engine's built-in functions and the case's own
//! custom functions (a per-case table: custom names never leak into later cases, A36 Fix).

use crate::functions::Library;
use crate::template::{FunctionCaller, ParamType};
use crate::value::Value;
use serde_json::Value as Json;
use std::collections::HashMap;

/// The function table of one case.
pub struct CaseFunctions<'a> {
    library: &'a Library,
    /// Custom function name → declared parameter types.
    custom: HashMap<String, Vec<ParamType>>,
}

fn param_type(name: &str) -> ParamType {
    match name {
        "String" | "str" => ParamType::Str,
        "Int" | "int" => ParamType::Int,
        "Float" | "float" => ParamType::Float,
        "Boolean" | "bool" => ParamType::Bool,
        "JSONObject" | "dict" => ParamType::Dict,
        "JSONArray" | "list" => ParamType::List,
        "Bytes" | "bytes" => ParamType::Bytes,
        _ => ParamType::Other,
    }
}

fn library_type(t: crate::functions::ParamType) -> ParamType {
    use crate::functions::ParamType as F;
    match t {
        F::Str => ParamType::Str,
        F::Int => ParamType::Int,
        F::Float => ParamType::Float,
        F::Bool => ParamType::Bool,
        F::Dict => ParamType::Dict,
        F::List => ParamType::List,
        F::Bytes => ParamType::Bytes,
        F::Other => ParamType::Other,
    }
}

impl<'a> CaseFunctions<'a> {
    /// `functions` is the case JSON's `functions` array.
    pub fn new(library: &'a Library, functions: Option<&Json>) -> Self {
        let mut custom = HashMap::new();
        for f in functions.and_then(Json::as_array).into_iter().flatten() {
            let Some(name) = f.get("name").and_then(Json::as_str) else {
                continue;
            };
            let types = f
                .pointer("/params/types")
                .and_then(Json::as_array)
                .map(|t| {
                    t.iter()
                        .map(|x| param_type(x.as_str().unwrap_or("")))
                        .collect()
                })
                .unwrap_or_default();
            custom.insert(name.to_string(), types);
        }
        Self { library, custom }
    }
}

impl FunctionCaller for CaseFunctions<'_> {
    fn param_types(&self, name: &str) -> Option<Vec<ParamType>> {
        if let Some(t) = self.custom.get(name) {
            return Some(t.clone());
        }
        self.library
            .param_types(name)
            .map(|types| types.into_iter().map(library_type).collect())
    }

    fn exists(&self, name: &str) -> bool {
        self.custom.contains_key(name) || self.library.exists(name)
    }

    fn call(&self, name: &str, args: Vec<Value>) -> Result<Value, String> {
        if self.custom.contains_key(name) {
            return Err(format!(
                "自定义函数{name}暂不支持: custom functions run in the Python sidecar, which this engine version does not have yet"
            ));
        }
        self.library.call(name, args)
    }
}
