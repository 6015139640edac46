//! Every type that crosses the wire to the platform, in one place (platform-protocol §3, §5, §7).
//! Field names match the platform's Java classes exactly; ids are typed data.

use crate::cases::{CaseResult, Transaction};
use crate::ids::{CaseId, CollectionId, TaskId};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// The platform's response envelope (`TemplateResponse`).
#[derive(Debug, Deserialize)]
pub struct Envelope {
    pub status: i64,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub data: serde_json::Value,
}

/// `data` of `task/fetch` (`TaskResponse`). Every member may be null on the wire.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskObject {
    #[serde(rename = "taskId")]
    pub task_id: TaskId,
    #[serde(rename = "taskType", default)]
    pub task_type: Option<String>,
    #[serde(rename = "downloadUrl", default)]
    pub download_url: Option<String>,
    #[serde(rename = "maxThread", default)]
    pub max_thread: Option<i64>,
    #[serde(rename = "reRun", default)]
    pub re_run: Option<bool>,
    #[serde(rename = "testCollectionList", default)]
    pub collections: Option<Vec<WireCollection>>,
    #[serde(rename = "debugData", default)]
    pub debug_data: Option<serde_json::Value>,
}

impl TaskObject {
    /// Case occurrences listed in the task (a case repeated in a collection counts each time).
    pub fn case_count(&self) -> usize {
        self.collections
            .iter()
            .flatten()
            .map(|c| c.cases.as_ref().map_or(0, Vec::len))
            .sum()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireCollection {
    #[serde(rename = "collectionId")]
    pub collection_id: CollectionId,
    #[serde(rename = "deviceId", default)]
    pub device_id: Option<String>,
    #[serde(rename = "testCaseList", default)]
    pub cases: Option<Vec<WireCaseRef>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireCaseRef {
    pub index: i64,
    #[serde(rename = "caseId")]
    pub case_id: CaseId,
    /// Null when the case was deleted while still listed in its collection.
    #[serde(rename = "caseType", default)]
    pub case_type: Option<String>,
}

/// `data` of `exec/result/{taskId}` (`ReportDTO`), reduced to what reconciliation needs.
/// Every member may be null or absent; unknown members are ignored.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportView {
    /// `running` until `complete`; then `success`/`fail`/`error`/`skip`; `discontinue` if stopped.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(rename = "collectionList", default)]
    pub collections: Option<Vec<ReportCollectionView>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportCollectionView {
    #[serde(rename = "collectionId", default)]
    pub collection_id: Option<String>,
    /// Only the rows with the highest `runTimes` per index (the platform's query hides the rest).
    #[serde(rename = "caseList", default)]
    pub cases: Option<Vec<ReportCaseView>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportCaseView {
    #[serde(rename = "collectionCaseIndex", default)]
    pub index: Option<i64>,
    #[serde(rename = "runTimes", default)]
    pub run_times: Option<i64>,
}

/// One element of `caseResultList` (`CaseResultRequest`).
///
/// Its texts borrow from the case's result where they need no cut: writing a result copied
/// its steps' logs (a few KB per case) only to serialise them once.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WireCaseResult<'a> {
    pub status: i32,
    #[serde(rename = "startTime")]
    pub start_time: i64,
    #[serde(rename = "endTime")]
    pub end_time: i64,
    #[serde(rename = "collectionId")]
    pub collection_id: CollectionId,
    #[serde(rename = "caseId")]
    pub case_id: CaseId,
    #[serde(rename = "caseType")]
    pub case_type: Cow<'a, str>,
    #[serde(rename = "caseName")]
    pub case_name: Cow<'a, str>,
    #[serde(rename = "caseDesc")]
    pub case_desc: Option<Cow<'a, str>>,
    pub index: i64,
    #[serde(rename = "runTimes")]
    pub run_times: u32,
    #[serde(rename = "transactionList")]
    pub transactions: Vec<WireTransaction<'a>>,
}

/// What identifies a result to reconciliation, acknowledgement and the logs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ResultKey {
    #[serde(rename = "collectionId")]
    pub collection_id: CollectionId,
    #[serde(rename = "caseId")]
    pub case_id: CaseId,
    pub index: i64,
    #[serde(rename = "runTimes")]
    pub run_times: u32,
    pub status: i32,
}

/// A case result serialised once, exactly as the platform receives it: the store keeps these
/// bytes and an upload writes them as they are, instead of serialising every result twice (a
/// visible share of a short case's CPU). Its key is kept beside it.
#[derive(Debug, Clone)]
pub struct SealedResult {
    pub key: ResultKey,
    pub json: Box<serde_json::value::RawValue>,
}

impl SealedResult {
    pub fn seal(r: &WireCaseResult) -> Result<SealedResult, serde_json::Error> {
        Ok(SealedResult {
            key: ResultKey {
                collection_id: r.collection_id.clone(),
                case_id: r.case_id.clone(),
                index: r.index,
                run_times: r.run_times,
                status: r.status,
            },
            // SAFETY: `json_out::case_result` writes one JSON object with no surrounding
            // whitespace, byte for byte what serde_json writes for `r` (tests compare both on
            // generated results; debug builds re-parse it here).
            json: unsafe {
                serde_json::value::RawValue::from_string_unchecked(super::json_out::case_result(r))
            },
        })
    }

    /// A result as the store kept it; the key is read from the JSON.
    pub fn from_json(json: String) -> Result<SealedResult, serde_json::Error> {
        let key: ResultKey = serde_json::from_str(&json)?;
        Ok(SealedResult {
            key,
            json: serde_json::value::RawValue::from_string(json)?,
        })
    }
}

impl Serialize for SealedResult {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.json.serialize(s)
    }
}

/// One transaction (`TransResultRequest`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WireTransaction<'a> {
    pub id: Cow<'a, str>,
    pub name: Cow<'a, str>,
    pub content: Cow<'a, str>,
    pub description: Option<Cow<'a, str>>,
    pub log: Cow<'a, str>,
    pub during: i64,
    pub status: i32,
    #[serde(rename = "screenShotList")]
    pub screenshots: Vec<String>,
}

/// Column limits of the platform's tables (§7.1, §7.2): longer values fail the INSERT under
/// MySQL's strict mode, so they are cut here, in code points for VARCHAR and bytes for TEXT.
const CASE_NAME_MAX: usize = 100;
const CASE_DESC_MAX: usize = 200;
const TRANS_ID_MAX: usize = 50;
const TRANS_NAME_MAX: usize = 100;
const API_PATH_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 200;
/// `exec_log` of WEB/APP transactions is TEXT.
const TEXT_MAX_BYTES: usize = 65_535;
/// API logs are LONGTEXT, but one case's rows must fit `max_allowed_packet` (4 MiB on 5.7).
const API_LOG_MAX_BYTES: usize = 512 * 1024;

fn cut_chars(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some((i, _)) => Cow::Borrowed(&s[..i]),
    }
}

fn cut_bytes(s: &str, max: usize) -> Cow<'_, str> {
    if s.len() <= max {
        return Cow::Borrowed(s);
    }
    const MARK: &str = "<br>...(log truncated by the engine)";
    let mut end = max.saturating_sub(MARK.len());
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}{MARK}", &s[..end]))
}

impl<'a> WireTransaction<'a> {
    /// The same transaction, owning its texts.
    fn into_owned(self) -> WireTransaction<'static> {
        WireTransaction {
            id: Cow::Owned(self.id.into_owned()),
            name: Cow::Owned(self.name.into_owned()),
            content: Cow::Owned(self.content.into_owned()),
            description: self.description.map(|d| Cow::Owned(d.into_owned())),
            log: Cow::Owned(self.log.into_owned()),
            during: self.during,
            status: self.status,
            screenshots: self.screenshots,
        }
    }

    fn from_transaction(t: &'a Transaction, is_api: bool) -> Self {
        WireTransaction {
            id: cut_chars(&t.id, TRANS_ID_MAX),
            name: cut_chars(&t.name, TRANS_NAME_MAX),
            content: if is_api {
                cut_chars(&t.content, API_PATH_MAX)
            } else {
                cut_bytes(&t.content, TEXT_MAX_BYTES)
            },
            description: t
                .description
                .as_deref()
                .map(|d| cut_chars(d, DESCRIPTION_MAX)),
            log: cut_bytes(
                &t.log,
                if is_api {
                    API_LOG_MAX_BYTES
                } else {
                    TEXT_MAX_BYTES
                },
            ),
            during: i64::try_from(t.during_ms).unwrap_or(i64::MAX),
            status: t.status.code(),
            screenshots: t.screenshots.clone(),
        }
    }
}

#[cfg(test)]
impl SealedResult {
    /// [`WireCaseResult::sample`], sealed.
    pub(crate) fn sample(collection: &str, index: i64, run_times: u32) -> Self {
        SealedResult::seal(&WireCaseResult::sample(collection, index, run_times))
            .expect("a sample result serialises")
    }
}

#[cfg(test)]
impl WireCaseResult<'static> {
    /// A passing result with no transactions, for tests of the store, backups and reconciliation.
    pub(crate) fn sample(collection: &str, index: i64, run_times: u32) -> Self {
        WireCaseResult {
            status: 0,
            start_time: 1,
            end_time: 2,
            collection_id: crate::ids::CollectionId(collection.into()),
            case_id: crate::ids::CaseId("k".into()),
            case_type: "API".into(),
            case_name: "n".into(),
            case_desc: None,
            index,
            run_times,
            transactions: Vec::new(),
        }
    }
}

impl<'a> From<&'a CaseResult> for WireCaseResult<'a> {
    fn from(r: &'a CaseResult) -> Self {
        let is_api = r.case_type == "API";
        let mut transactions: Vec<WireTransaction<'a>> = r
            .transactions
            .iter()
            .map(|t| WireTransaction::from_transaction(t, is_api))
            .collect();
        if transactions.is_empty() {
            // The platform rejects an empty list with HTTP 500 (§7.1); the Python engine's fallback.
            let unknown = Transaction::unknown(r.case_id.as_str(), r.status);
            transactions.push(WireTransaction::from_transaction(&unknown, is_api).into_owned());
        }
        WireCaseResult {
            status: r.status.code(),
            start_time: r.start_ms,
            end_time: r.end_ms.max(r.start_ms),
            collection_id: r.collection_id.clone(),
            case_id: r.case_id.clone(),
            case_type: Cow::Borrowed(r.case_type.as_str()),
            case_name: cut_chars(&r.case_name, CASE_NAME_MAX),
            case_desc: r.case_desc.as_deref().map(|d| cut_chars(d, CASE_DESC_MAX)),
            index: r.index,
            run_times: r.run_times,
            transactions,
        }
    }
}

/// A message pushed by the platform over the WebSocket (§4.3). Pushes are hints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushMessage {
    Start,
    Stop(TaskId),
    StopAll,
}

#[derive(Debug, Deserialize)]
struct RawPush {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    data: serde_json::Value,
}

/// Parses a pushed text frame; the error says why it was ignored.
pub fn parse_push(text: &str) -> Result<PushMessage, String> {
    let raw: RawPush = serde_json::from_str(text).map_err(|e| format!("not JSON ({e})"))?;
    match raw.kind.as_deref() {
        Some("start") => Ok(PushMessage::Start),
        Some("stopAll") => Ok(PushMessage::StopAll),
        Some("stop") => match raw.data.as_str() {
            Some(id) if !id.is_empty() => Ok(PushMessage::Stop(TaskId(id.to_string()))),
            _ => Err("a stop message without a task id".to_string()),
        },
        Some(other) => Err(format!("unknown message type {other:?}")),
        None => Err("a message without a type".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pushes() {
        assert_eq!(parse_push(r#"{"type":"start"}"#), Ok(PushMessage::Start));
        assert_eq!(
            parse_push(r#"{"data":"t-1","type":"stop"}"#),
            Ok(PushMessage::Stop(TaskId("t-1".into())))
        );
        assert_eq!(
            parse_push(r#"{"type":"stopAll"}"#),
            Ok(PushMessage::StopAll)
        );
        assert!(parse_push("garbage").is_err());
        assert!(parse_push(r#"{"type":"finished","data":"x"}"#).is_err());
        assert!(parse_push(r#"{"data":"x"}"#).is_err());
        assert!(parse_push(r#"{"type":"stop"}"#).is_err());
    }

    #[test]
    fn task_object_tolerates_nulls() {
        let t: TaskObject = serde_json::from_str(
            r#"{"taskId":"t","taskType":null,"downloadUrl":null,"maxThread":null,"reRun":null,"testCollectionList":null,"debugData":null}"#,
        )
        .expect("parses");
        assert!(t.collections.is_none() && t.max_thread.is_none());
    }

    #[test]
    fn cuts_respect_char_boundaries() {
        assert_eq!(cut_chars("中文字符", 2), "中文");
        let long = "日".repeat(100);
        let cut = cut_bytes(&long, 100);
        assert!(cut.len() <= 100 + 3);
        assert!(cut.ends_with("(log truncated by the engine)"));
    }
}
