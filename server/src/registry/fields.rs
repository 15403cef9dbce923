//! Field mappings: reading Reestr's values out of a catalogue API's JSON
//! with JSON-pointer style paths, where `[]` steps into every array item
//! (`/results/[]/name`, `[]/tags/[]/name`) and `*` into every value of an
//! object (Harbor's scan overview, keyed by report media type).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::config::Field;

/// The values one path selects; none when the path leads nowhere.
pub fn select<'v>(value: &'v Value, path: &str) -> Vec<&'v Value> {
    let mut current = vec![value];
    for step in path.split('/').filter(|s| !s.is_empty()) {
        current = current
            .into_iter()
            .flat_map(|v| -> Vec<&'v Value> {
                match (step, v) {
                    ("[]", Value::Array(items)) => items.iter().collect(),
                    ("[]", _) => Vec::new(),
                    ("*", Value::Object(map)) => map.values().collect(),
                    (key, Value::Object(map)) => map.get(&unescape(key)).into_iter().collect(),
                    (index, Value::Array(items)) => {
                        index.parse::<usize>().ok().and_then(|i| items.get(i)).into_iter().collect()
                    }
                    _ => Vec::new(),
                }
            })
            .collect();
    }
    current.retain(|v| !v.is_null());
    current
}

/// RFC 6901 escapes (`~1` is `/`, `~0` is `~`).
fn unescape(step: &str) -> String {
    step.replace("~1", "/").replace("~0", "~")
}

/// One item of a listing (or the whole of a single answer): each mapped
/// field's values.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Record<'v> {
    values: BTreeMap<Field, Vec<&'v Value>>,
    /// The whole answer, for values read by path rather than by field.
    body: Option<&'v Value>,
}

impl<'v> Record<'v> {
    /// A record of a whole answer, with no mapped fields yet.
    pub fn whole(body: &'v Value) -> Self {
        Self { values: BTreeMap::new(), body: Some(body) }
    }

    /// The text at `path` in the whole answer (pagination's `/next`, `/cursor`).
    pub fn text_at(&self, path: &str) -> Option<String> {
        select(self.body?, path).into_iter().find_map(as_text)
    }

    /// The field's first value as text (numbers are written out).
    pub fn text(&self, field: Field) -> Option<String> {
        self.values.get(&field)?.iter().copied().find_map(as_text)
    }

    /// Every value of the field as text (a tag field can hold several names).
    pub fn texts(&self, field: Field) -> Vec<String> {
        self.values
            .get(&field)
            .map(|vs| vs.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }

    /// The field's first value as a count; negative or fractional numbers are not counts.
    pub fn count(&self, field: Field) -> Option<u64> {
        self.values.get(&field)?.iter().find_map(|v| v.as_u64())
    }
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The page-level values of a listing (`/count`, `/next`) and its items.
#[derive(Debug, Default)]
pub struct Listing<'v> {
    pub page: Record<'v>,
    pub items: Vec<Record<'v>>,
}

/// Splits `fields` at the first `[]`: the part before is where the items
/// are (the same for every item field, or the mapping is refused), the
/// part after is read inside each item. Fields without `[]` are read once
/// from the whole body.
pub fn read_listing<'v>(body: &'v Value, fields: &[(Field, String)]) -> Result<Listing<'v>, String> {
    let mut items_at: Option<&str> = None;
    let mut page = Record::whole(body);
    let mut per_item = Vec::new();
    for (name, path) in fields {
        match path.split_once("[]") {
            Some((root, rest)) => {
                let root = root.trim_end_matches('/');
                match items_at {
                    Some(r) if r != root => {
                        return Err(format!("the mapping reads items at both `{r}` and `{root}`"));
                    }
                    _ => items_at = Some(root),
                }
                per_item.push((*name, rest));
            }
            None => {
                page.values.insert(*name, select(body, path));
            }
        }
    }
    let Some(root) = items_at else { return Ok(Listing { page, items: Vec::new() }) };
    let list = match select(body, root).first() {
        Some(Value::Array(items)) => items,
        Some(_) => return Err(format!("`{}` is not a list", if root.is_empty() { "the body" } else { root })),
        None => return Err(format!("the response has no `{}` list", if root.is_empty() { "top-level" } else { root })),
    };
    let items = list
        .iter()
        .map(|item| Record {
            values: per_item.iter().map(|(name, rest)| (*name, select(item, rest))).collect(),
            body: Some(item),
        })
        .collect();
    Ok(Listing { page, items })
}

/// Reads a single answer (no `[]` at the top).
pub fn read_record<'v>(body: &'v Value, fields: &[(Field, String)]) -> Record<'v> {
    Record { values: fields.iter().map(|(name, path)| (*name, select(body, path))).collect(), body: Some(body) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn owned(fields: &[(Field, &str)]) -> Vec<(Field, String)> {
        fields.iter().map(|(f, p)| (*f, (*p).to_string())).collect()
    }

    #[test]
    fn paths_step_into_objects_and_every_array_item() {
        let v =
            json!({"results": [{"name": "a", "tags": [{"name": "1"}, {"name": "2"}]}, {"name": "b", "tags": null}]});
        let names: Vec<_> = select(&v, "/results/[]/name").into_iter().filter_map(Value::as_str).collect();
        assert_eq!(names, ["a", "b"]);
        let tags: Vec<_> = select(&v, "/results/[]/tags/[]/name").into_iter().filter_map(Value::as_str).collect();
        assert_eq!(tags, ["1", "2"]);
        assert_eq!(select(&v, "/results/1/name"), [&json!("b")]);
        assert!(select(&v, "/missing/[]/x").is_empty());
        assert_eq!(select(&json!({"a/b": 1}), "/a~1b"), [&json!(1)]);
        let overview = json!({"scan_overview": {"application/vnd.security.vulnerability.report; version=1.1": {"summary": {"summary": {"High": 2}}}}});
        assert_eq!(select(&overview, "/scan_overview/*/summary/summary/High"), [&json!(2)]);
    }

    #[test]
    fn listings_split_page_fields_from_item_fields() -> Result<(), String> {
        let body = json!({"count": 3, "next": "https://h/p2", "results": [
            {"name": "web", "pull_count": 12, "description": ""},
            {"name": "db", "pull_count": -1}
        ]});
        let fields = owned(&[
            (Field::Total, "/count"),
            (Field::Next, "/next"),
            (Field::Name, "/results/[]/name"),
            (Field::PullCount, "/results/[]/pull_count"),
            (Field::Description, "/results/[]/description"),
        ]);
        let listing = read_listing(&body, &fields)?;
        assert_eq!(listing.page.count(Field::Total), Some(3));
        assert_eq!(listing.page.text(Field::Next).as_deref(), Some("https://h/p2"));
        assert_eq!(listing.items.len(), 2);
        assert_eq!(listing.items[0].text(Field::Name).as_deref(), Some("web"));
        assert_eq!(listing.items[0].count(Field::PullCount), Some(12));
        // Empty text is no text; a negative number is no count.
        assert_eq!(listing.items[0].text(Field::Description), None);
        assert_eq!(listing.items[1].count(Field::PullCount), None);
        Ok(())
    }

    #[test]
    fn a_top_level_array_and_nested_lists_read_per_item() -> Result<(), String> {
        let body = json!([{"digest": "sha256:1", "tags": [{"name": "v1"}, {"name": "latest"}]}]);
        let listing = read_listing(&body, &owned(&[(Field::Digest, "[]/digest"), (Field::Tag, "[]/tags/[]/name")]))?;
        assert_eq!(listing.items[0].texts(Field::Tag), ["v1", "latest"]);
        Ok(())
    }

    #[test]
    fn a_body_without_the_list_is_an_error_not_an_empty_page() {
        let fields = owned(&[(Field::Name, "/results/[]/name")]);
        assert_eq!(
            read_listing(&json!({"detail": "nope"}), &fields).err().as_deref(),
            Some("the response has no `/results` list")
        );
        assert_eq!(read_listing(&json!({"results": 5}), &fields).err().as_deref(), Some("`/results` is not a list"));
        assert!(read_listing(&json!({"x": 1}), &owned(&[(Field::Name, "/p/[]/a"), (Field::Tag, "/q/[]/b")])).is_err());
    }
}
