//! A `preSql`/`postSql` entry of an API step (api-cases §6.8): render, run on the task's pooled
//! connection, store the columns in the collection context.
//!
//! A38 Fix: the entry's JSON is parsed first and rendered as a structure, so values with `"`
//! or `\` in `sqlText`/`names` no longer corrupt it.

use super::CaseRun;
use crate::sql::{SqlEntry, Statement, assign, transpose};
use serde_json::Value as Json;

/// Longest SQL text copied into the transaction log.
const LOGGED_SQL_MAX: usize = 2000;

impl CaseRun<'_> {
    /// Runs one SQL entry; `Err` is the step error text.
    pub(super) async fn sql_entry(
        &mut self,
        name: &str,
        value: Option<&Json>,
    ) -> Result<(), String> {
        let text = match value {
            Some(Json::String(s)) => s.clone(),
            // A local case file may hold the object itself.
            Some(other @ Json::Object(_)) => other.to_string(),
            Some(other) => return Err(format!("{name}: SQL配置不是JSON文本: {other}")),
            None => return Err(format!("{name}: SQL配置缺少 value")),
        };
        let parsed = crate::value::parse_json(&text)
            .map_err(|e| format!("{name}: SQL配置不是合法JSON: {e}"))?;
        let rendered = self.render_value(&parsed, None)?;
        let entry = SqlEntry::from_value(&rendered).map_err(|e| e.to_string())?;
        let databases = self.ctx.sql.clone();
        let executed = databases.execute(&entry).await.map_err(|e| e.to_string())?;
        let mut shown: String = entry.sql.chars().take(LOGGED_SQL_MAX).collect();
        if shown.len() < entry.sql.len() {
            shown.push_str("...");
        }
        match &entry.statement {
            Statement::NonQuery => {
                self.rec.debug(&format!(
                    "[{name}]执行SQL ({}): {shown}",
                    entry.target.describe()
                ));
                Ok(())
            }
            Statement::Query { names } => {
                self.rec.debug(&format!(
                    "[{name}]执行SQL查询 ({}): {shown}<br>查询结果行数: {}",
                    entry.target.describe(),
                    executed.rows.len()
                ));
                let vars = &mut self.ctx.vars;
                assign(names, transpose(executed.rows), |k, v| {
                    vars.insert(k, v);
                })
                .map_err(|e| e.to_string())
            }
        }
    }
}
