//! What the command line changes in a loaded plan before it runs: `--collection`/`--case`
//! filters, `--param KEY=VALUE` overrides of the cases' common parameters, `--base-url` for the
//! steps' environment domain, `--max-thread` and `--rerun`.
//!
//! Case files are read here once (a local run is small enough) so filters can match case names
//! and overrides can be written into the case JSON the runner receives; a file that cannot be
//! read or parsed is left to the runner, which reports that case as error naming the file, as the
//! agent does.

use super::error::InputError;
use crate::bundle::{CaseSource, Plan};
use serde_json::{Value as Json, json};
use std::collections::HashMap;
use std::sync::Arc;

/// `--base-url [OLD=]NEW`: replace the `url` of every step, or of the steps whose `url` is OLD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    pub old: Option<String>,
    pub new: String,
}

impl BaseUrl {
    pub fn parse(text: &str) -> Result<BaseUrl, InputError> {
        let bad = |reason: &str| InputError::Option {
            option: "base-url",
            value: text.to_string(),
            reason: reason.to_string(),
        };
        let (old, new) = match text.split_once('=') {
            Some((old, new)) if old.contains("://") && new.contains("://") => {
                (Some(old.trim_end_matches('/').to_string()), new)
            }
            _ => (None, text),
        };
        let parsed = url::Url::parse(new).map_err(|e| bad(&e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(bad("expected an http:// or https:// URL"));
        }
        Ok(BaseUrl {
            old,
            new: new.trim_end_matches('/').to_string(),
        })
    }
}

/// Everything the command line changes in a plan.
#[derive(Debug, Clone, Default)]
pub struct Adjustments {
    pub params: Vec<(String, String)>,
    pub base_urls: Vec<BaseUrl>,
    pub collections: Vec<String>,
    pub cases: Vec<String>,
    pub max_thread: Option<usize>,
    pub rerun: bool,
}

/// `KEY=VALUE` of `--param`.
pub fn parse_param(text: &str) -> Result<(String, String), InputError> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(InputError::Option {
            option: "param",
            value: text.to_string(),
            reason: "expected KEY=VALUE".into(),
        }),
    }
}

/// Case names by (collection id, index), for progress lines and filters.
pub type CaseNames = HashMap<(String, i64), String>;

/// Writes the overrides into one case JSON.
pub fn adjust_case(json: &mut Json, adj: &Adjustments) {
    let Some(obj) = json.as_object_mut() else {
        return;
    };
    if !adj.params.is_empty() {
        let params = obj.entry("params").or_insert_with(|| json!({}));
        if !params.is_object() {
            *params = json!({});
        }
        if let Some(map) = params.as_object_mut() {
            for (k, v) in &adj.params {
                // The declared type stays, so `Int` params still convert (api-cases §1.3).
                let kind = map
                    .get(k)
                    .and_then(|p| p.get("type"))
                    .and_then(Json::as_str)
                    .unwrap_or("String")
                    .to_string();
                map.insert(k.clone(), json!({"type": kind, "value": v}));
            }
        }
    }
    if !adj.base_urls.is_empty()
        && let Some(Json::Array(steps)) = obj.get_mut("apiList")
    {
        for step in steps.iter_mut().filter_map(Json::as_object_mut) {
            let current = step
                .get("url")
                .and_then(Json::as_str)
                .map(|u| u.trim_end_matches('/').to_string());
            let replacement = adj.base_urls.iter().find(|b| match &b.old {
                None => true,
                Some(old) => current.as_deref() == Some(old.as_str()),
            });
            if let Some(b) = replacement {
                step.insert("url".into(), Json::String(b.new.clone()));
            }
        }
    }
}

/// Reads every case, applies the overrides and filters; returns the case names.
pub async fn apply(plan: &mut Plan, adj: &Adjustments) -> CaseNames {
    let mut names = CaseNames::new();
    let mut cache: HashMap<std::path::PathBuf, Option<Arc<Json>>> = HashMap::new();
    for coll in plan.collections.iter_mut() {
        for case in coll.cases.iter_mut() {
            let loaded = match &case.source {
                CaseSource::File(path) => {
                    if !cache.contains_key(path) {
                        let parsed = case.source.load().await.ok().map(|mut j| {
                            adjust_case(&mut j, adj);
                            Arc::new(j)
                        });
                        cache.insert(path.clone(), parsed);
                    }
                    cache.get(path).cloned().flatten()
                }
                CaseSource::Inline(v) => {
                    let mut j = (**v).clone();
                    adjust_case(&mut j, adj);
                    Some(Arc::new(j))
                }
                CaseSource::Entry(_, rel) => {
                    let key = std::path::PathBuf::from(rel);
                    if !cache.contains_key(&key) {
                        let parsed = case.source.load().await.ok().map(|mut j| {
                            adjust_case(&mut j, adj);
                            Arc::new(j)
                        });
                        cache.insert(key.clone(), parsed);
                    }
                    cache.get(&key).cloned().flatten()
                }
                CaseSource::Unavailable(_) => None,
            };
            let name = loaded
                .as_ref()
                .and_then(|j| j.get("caseName"))
                .and_then(Json::as_str)
                .unwrap_or(case.case_id.as_str())
                .to_string();
            names.insert((coll.id.as_str().to_string(), case.index), name);
            if let Some(j) = loaded {
                case.source = CaseSource::Inline(j);
            }
        }
    }
    if !adj.collections.is_empty() {
        plan.collections
            .retain(|c| adj.collections.iter().any(|f| f == c.id.as_str()));
    }
    if !adj.cases.is_empty() {
        for coll in plan.collections.iter_mut() {
            let id = coll.id.as_str().to_string();
            coll.cases.retain(|c| {
                adj.cases.iter().any(|f| {
                    f == c.case_id.as_str()
                        || names.get(&(id.clone(), c.index)).is_some_and(|n| n == f)
                })
            });
        }
        plan.collections.retain(|c| !c.cases.is_empty());
    }
    if let Some(n) = adj.max_thread {
        plan.max_thread = n.max(1);
    }
    if adj.rerun {
        plan.rerun = true;
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_keep_their_declared_type_and_new_ones_are_strings() {
        let mut case =
            json!({"caseName": "c", "params": {"n": {"type": "Int", "value": "1"}}, "apiList": []});
        let adj = Adjustments {
            params: vec![("n".into(), "5".into()), ("host".into(), "x".into())],
            ..Default::default()
        };
        adjust_case(&mut case, &adj);
        assert_eq!(case["params"]["n"], json!({"type": "Int", "value": "5"}));
        assert_eq!(
            case["params"]["host"],
            json!({"type": "String", "value": "x"})
        );
    }

    #[test]
    fn base_url_replaces_all_or_only_the_named_domain() {
        let mut case = json!({"apiList": [{"url": "http://a.test/"}, {"url": "http://b.test"}]});
        let adj = Adjustments {
            base_urls: vec![BaseUrl::parse("http://a.test=http://127.0.0.1:9").expect("parses")],
            ..Default::default()
        };
        adjust_case(&mut case, &adj);
        assert_eq!(case["apiList"][0]["url"], "http://127.0.0.1:9");
        assert_eq!(case["apiList"][1]["url"], "http://b.test");
        let all = Adjustments {
            base_urls: vec![BaseUrl::parse("http://127.0.0.1:7/").expect("parses")],
            ..Default::default()
        };
        adjust_case(&mut case, &all);
        assert_eq!(case["apiList"][1]["url"], "http://127.0.0.1:7");
        assert!(BaseUrl::parse("ftp://x").is_err());
        assert!(BaseUrl::parse("not a url").is_err());
    }

    #[test]
    fn param_syntax() {
        assert_eq!(parse_param("a=b=c").ok(), Some(("a".into(), "b=c".into())));
        assert!(parse_param("novalue").is_err());
        assert!(parse_param("=x").is_err());
    }
}
