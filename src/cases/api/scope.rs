//! What templates of one case can call: the engine's built-in functions and the case's own
//! custom functions (a per-case table: custom names never leak into later cases, A36 Fix).
//! Custom functions run in the collection's Python sidecar worker ([`crate::sidecar`]).

use crate::config::SidecarConfig;
use crate::functions::Library;
use crate::sidecar::function::{self as sidecar_fn, CustomFunction};
use crate::sidecar::{Ending, Reply, SidecarSlot};
use crate::template::{FunctionCaller, ParamType};
use crate::value::Dict;
use crate::value::Value;
use indexmap::IndexMap;
use serde_json::Value as Json;
use std::collections::HashMap;
use std::sync::Mutex;

/// The function table of one case.
pub struct CaseFunctions<'a> {
    library: &'a Library,
    /// Custom function name → declared parameter types.
    custom: HashMap<String, Vec<ParamType>>,
    /// Custom function name → code and parameter names.
    code: IndexMap<String, CustomFunction>,
    /// Where custom functions run; `None` until [`CaseFunctions::with_sidecar`].
    sidecar: Option<(SidecarSlot, SidecarConfig)>,
    /// The context and params a render's function calls see and change (a render only borrows
    /// the real ones): set by [`CaseFunctions::begin`], taken back by [`CaseFunctions::end`].
    state: Mutex<RenderState>,
}

/// What custom functions changed during one render.
#[derive(Default)]
pub struct RenderState {
    pub context: Dict,
    pub params: Dict,
    /// Whether a call wrote `context` / `params` back (they replace the case's then).
    pub changed: bool,
    /// What the calls printed.
    pub console: String,
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
        let mut code_table = IndexMap::new();
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
            let names = f
                .pointer("/params/names")
                .and_then(Json::as_array)
                .map(|n| {
                    n.iter()
                        .map(|x| x.as_str().unwrap_or("").to_string())
                        .collect()
                })
                .unwrap_or_default();
            let code = f
                .get("code")
                .and_then(Json::as_str)
                .unwrap_or("")
                .to_string();
            code_table.insert(name.to_string(), CustomFunction { code, names });
        }
        Self {
            library,
            custom,
            code: code_table,
            sidecar: None,
            state: Mutex::new(RenderState::default()),
        }
    }

    /// The table of a case about to run in `ctx`: the built-ins, the case's own `functions`,
    /// run in the collection's sidecar worker. API and WEB cases start the same way.
    pub fn for_case(
        functions: Option<&Json>,
        env: &'a crate::cases::CaseEnv,
        ctx: &crate::cases::CollectionContext,
    ) -> Self {
        Self::new(&env.functions, functions).with_sidecar(ctx.sidecar.clone(), env.sidecar.clone())
    }

    /// Custom functions run in `slot`'s worker with `settings`.
    pub fn with_sidecar(mut self, slot: SidecarSlot, settings: SidecarConfig) -> Self {
        self.sidecar = Some((slot, settings));
        self
    }

    /// Whether the case declares custom functions (renders then need [`CaseFunctions::begin`]).
    pub fn has_custom(&self) -> bool {
        !self.code.is_empty()
    }

    /// Before a render: the context and params custom functions start from.
    pub fn begin(&self, context: &Dict, params: &Dict) {
        if !self.has_custom() {
            return;
        }
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        *st = RenderState {
            context: context.clone(),
            params: params.clone(),
            changed: false,
            console: String::new(),
        };
    }

    /// After a render: what its custom-function calls changed and printed.
    pub fn end(&self) -> RenderState {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        std::mem::take(&mut *st)
    }

    fn call_custom(&self, name: &str, args: Vec<Value>) -> Result<Value, String> {
        let Some((slot, settings)) = &self.sidecar else {
            return Err(format!(
                "自定义函数{name}: no Python sidecar is attached to this case"
            ));
        };
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let request = sidecar_fn::request(name, &args, &self.code, &st.context, &st.params);
        let library = self.library;
        let mut callbacks = |msg: &Json| sidecar_fn::answer_builtin(msg, |n, a| library.call(n, a));
        let answer =
            crate::sidecar::blocking(|| slot.call_blocking(settings, &request, &mut callbacks))
                .map_err(|e| format!("自定义函数{name}: {e}"))?;
        let reply = Reply::read(&answer);
        st.console.push_str(&reply.console);
        if let Some(c) = reply.context {
            st.context = c;
            st.changed = true;
        }
        if let Some(p) = reply.params {
            st.params = p;
            st.changed = true;
        }
        match reply.ending {
            Ending::Ok => Ok(reply.value.unwrap_or(Value::None)),
            Ending::Fail(m) | Ending::Error(m) => Err(format!("自定义函数{name}: {m}")),
        }
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
            return self.call_custom(name, args);
        }
        self.library.call(name, args)
    }
}
