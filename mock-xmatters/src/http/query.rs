//! Query parameters and the REST API's pagination object
//! `{"count", "total", "data", "links": {"self", "next"}}`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::Serialize;
use serde_json::{Value, json};

use crate::http::error::ApiError;

/// Items per page when the request names no `limit`.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest `limit` accepted, as in xMatters; larger values are rejected.
pub const MAX_LIMIT: usize = 1000;

/// The decoded query string, in order, duplicates kept.
#[derive(Debug, Clone, Default)]
pub(crate) struct QueryParams(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(QueryParams::parse(parts.uri.query().unwrap_or("")))
    }
}

impl QueryParams {
    pub(crate) fn parse(query: &str) -> Self {
        QueryParams(
            url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        )
    }

    /// Returns the first value of `name`, matched exactly.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Returns the pairs other than `offset` and `limit`, to repeat in links.
    fn filters(&self) -> Vec<(String, String)> {
        self.0
            .iter()
            .filter(|(key, _)| key != "offset" && key != "limit")
            .cloned()
            .collect()
    }
}

/// The requested window of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageRequest {
    pub(crate) offset: usize,
    pub(crate) limit: usize,
}

impl PageRequest {
    /// Reads `offset` (default 0) and `limit` (default 100, 1 to 1000).
    pub(crate) fn from_query(query: &QueryParams) -> Result<Self, ApiError> {
        let offset = match query.get("offset") {
            None => 0,
            Some(text) => text.trim().parse::<usize>().map_err(|_| {
                ApiError::bad_request(format!(
                    "Invalid offset {text:?}: expected an integer of 0 or more."
                ))
            })?,
        };
        let limit = match query.get("limit") {
            None => DEFAULT_LIMIT,
            Some(text) => text
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|limit| (1..=MAX_LIMIT).contains(limit))
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "Invalid limit {text:?}: expected an integer from 1 to {MAX_LIMIT}."
                    ))
                })?,
        };
        Ok(PageRequest { offset, limit })
    }
}

/// Builds the pagination object for one page of `items`. Links repeat the
/// request's filters with the page's `offset` and `limit`; `next` is
/// present only when more items follow.
pub(crate) fn paginate<T: Serialize>(
    path: &str,
    query: &QueryParams,
    page: PageRequest,
    items: Vec<T>,
    present: impl Fn(T) -> Value,
) -> Value {
    let total = items.len();
    let data: Vec<Value> = items
        .into_iter()
        .skip(page.offset)
        .take(page.limit)
        .map(present)
        .collect();
    let count = data.len();

    let mut links = json!({ "self": page_link(path, query, page.offset, page.limit) });
    if page.offset + count < total {
        links["next"] = Value::String(page_link(path, query, page.offset + page.limit, page.limit));
    }
    json!({ "count": count, "total": total, "data": data, "links": links })
}

fn page_link(path: &str, query: &QueryParams, offset: usize, limit: usize) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in query.filters() {
        serializer.append_pair(&key, &value);
    }
    serializer.append_pair("offset", &offset.to_string());
    serializer.append_pair("limit", &limit.to_string());
    format!("{path}?{}", serializer.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_of(query: &str, total: usize) -> Value {
        let query = QueryParams::parse(query);
        let page = PageRequest::from_query(&query).expect("valid page");
        paginate(
            "/api/xm/1/events",
            &query,
            page,
            (0..total).collect(),
            |n| json!(n),
        )
    }

    #[test]
    fn first_page_links_next() {
        let body = page_of("status=ACTIVE&limit=2", 5);

        assert_eq!(body["count"], 2);
        assert_eq!(body["total"], 5);
        assert_eq!(body["data"], json!([0, 1]));
        assert_eq!(
            body["links"]["self"],
            "/api/xm/1/events?status=ACTIVE&offset=0&limit=2"
        );
        assert_eq!(
            body["links"]["next"],
            "/api/xm/1/events?status=ACTIVE&offset=2&limit=2"
        );
    }

    #[test]
    fn last_page_has_no_next() {
        let body = page_of("offset=4&limit=2", 5);

        assert_eq!(body["data"], json!([4]));
        assert_eq!(body["links"].get("next"), None);
    }

    #[test]
    fn offset_past_end_is_empty() {
        let body = page_of("offset=10", 5);

        assert_eq!(body["count"], 0);
        assert_eq!(body["total"], 5);
    }

    #[test]
    fn defaults_apply_without_parameters() {
        let page = PageRequest::from_query(&QueryParams::parse("")).expect("valid");

        assert_eq!(
            page,
            PageRequest {
                offset: 0,
                limit: DEFAULT_LIMIT
            }
        );
    }

    #[test]
    fn invalid_offset_and_limit_are_rejected() {
        for query in [
            "offset=-1",
            "offset=x",
            "limit=0",
            "limit=1001",
            "limit=ten",
        ] {
            let error = PageRequest::from_query(&QueryParams::parse(query)).expect_err("rejected");
            assert_eq!(error.code, 400, "{query}");
        }
    }

    #[test]
    fn encoded_values_are_decoded_and_reencoded() {
        let query = QueryParams::parse("propertyName=Summary%23en&propertyValue=DB+down");

        assert_eq!(query.get("propertyName"), Some("Summary#en"));
        assert_eq!(query.get("propertyValue"), Some("DB down"));
        let body = paginate(
            "/p",
            &query,
            PageRequest {
                offset: 0,
                limit: 1,
            },
            vec![1, 2],
            |n| json!(n),
        );
        assert_eq!(
            body["links"]["next"],
            "/p?propertyName=Summary%23en&propertyValue=DB+down&offset=1&limit=1"
        );
    }
}
