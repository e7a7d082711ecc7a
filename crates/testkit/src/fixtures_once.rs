//! Forms as a browser sends them, for the tests of one-time submissions: the fields of
//! one `<form method="post">` of a rendered page (hidden fields and the one-time token
//! included, with the values the page filled in), and the audit entries written since.

use mamori_store::audit::{self, AuditRecord};

use crate::TestServer;

/// The name/value pairs a browser would send for the form of `html` whose action is
/// `action`, unchanged: text, hidden and date inputs, checked boxes and radios, the
/// selected (else first) option of each select, every textarea. Panics when the page has
/// no such form, so a test cannot pass on a page that lost it.
pub fn form_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let form = form_of(html, action).unwrap_or_else(|| panic!("no form posting to {action}"));
    let mut fields = Vec::new();
    let mut rest = form;
    while let Some(start) = rest.find('<') {
        rest = &rest[start..];
        let tag_end = rest.find('>').map_or(rest.len(), |i| i + 1);
        let tag = &rest[..tag_end];
        if tag.starts_with("<input") {
            input(tag, &mut fields);
        } else if tag.starts_with("<select") {
            let end = rest.find("</select>").unwrap_or(rest.len());
            select(tag, &rest[tag_end..end], &mut fields);
        } else if tag.starts_with("<textarea") {
            let end = rest.find("</textarea>").unwrap_or(rest.len());
            if let Some(name) = attribute(tag, "name") {
                fields.push((name, unescape(rest[tag_end..end].trim_start_matches('\n'))));
            }
        }
        rest = &rest[tag_end..];
    }
    fields
}

/// The fields of the form with `changes` applied: a value replaced, or added when the
/// form has no such field.
pub fn filled(
    mut fields: Vec<(String, String)>,
    changes: &[(&str, &str)],
) -> Vec<(String, String)> {
    for (name, value) in changes {
        match fields.iter_mut().find(|(k, _)| k == name) {
            Some(field) => field.1 = (*value).to_owned(),
            None => fields.push(((*name).to_owned(), (*value).to_owned())),
        }
    }
    fields
}

/// The one-time token of a form's fields.
pub fn once_token(fields: &[(String, String)]) -> String {
    fields
        .iter()
        .find(|(k, _)| k == "once")
        .map(|(_, v)| v.clone())
        .expect("the form carries a one-time token")
}

fn form_of<'h>(html: &'h str, action: &str) -> Option<&'h str> {
    let wanted = format!("action=\"{action}\"");
    let mut rest = html;
    while let Some(start) = rest.find("<form ") {
        rest = &rest[start..];
        let tag_end = rest.find('>')?;
        let end = rest.find("</form>")?;
        if rest[..tag_end].contains(&wanted) && rest[..tag_end].contains("method=\"post\"") {
            return Some(&rest[tag_end + 1..end]);
        }
        rest = &rest[end..];
    }
    None
}

fn input(tag: &str, fields: &mut Vec<(String, String)>) {
    let Some(name) = attribute(tag, "name") else {
        return;
    };
    let kind = attribute(tag, "type").unwrap_or_else(|| "text".to_owned());
    let checked = tag.contains(" checked");
    match kind.as_str() {
        "submit" | "button" | "file" => {}
        "checkbox" | "radio" if !checked => {}
        "checkbox" | "radio" => fields.push((
            name,
            attribute(tag, "value").unwrap_or_else(|| "on".to_owned()),
        )),
        _ => fields.push((name, attribute(tag, "value").unwrap_or_default())),
    }
}

fn select(tag: &str, options: &str, fields: &mut Vec<(String, String)>) {
    let Some(name) = attribute(tag, "name") else {
        return;
    };
    let values: Vec<(String, bool)> = options
        .split("<option")
        .skip(1)
        .map(|option| {
            let head = &option[..option.find('>').unwrap_or(option.len())];
            let value = attribute(head, "value").unwrap_or_default();
            (value, head.contains(" selected"))
        })
        .collect();
    let selected: Vec<&String> = values.iter().filter(|(_, s)| *s).map(|(v, _)| v).collect();
    if !selected.is_empty() {
        fields.extend(selected.into_iter().map(|v| (name.clone(), v.clone())));
    } else if !tag.contains(" multiple")
        && let Some((first, _)) = values.first()
    {
        fields.push((name, first.clone()));
    }
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

/// Undoes the template engine's HTML escaping.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// A `multipart/form-data` body as a browser sends an upload form: the text `fields`,
/// then the file (`field name`, file name, bytes) if any. Returns (content type, body).
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----mamoriOnceBoundary7d41e2";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((name, file_name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; \
                 filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The id of the newest audit entry (0 on an empty trail).
pub async fn last_audit_id(server: &TestServer) -> i64 {
    audit::recent(&server.store, 1)
        .await
        .expect("audit trail")
        .first()
        .map_or(0, |e| e.id)
}

/// The audit entries written after entry `since`, oldest first.
pub async fn audit_since(server: &TestServer, since: i64) -> Vec<AuditRecord> {
    let mut entries: Vec<AuditRecord> = audit::recent(&server.store, 500)
        .await
        .expect("audit trail")
        .into_iter()
        .filter(|e| e.id > since)
        .collect();
    entries.reverse();
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_form_as_a_browser_sends_it() {
        let html = r#"<form method="post" action="/other"><input name="x" value="no"></form>
<form method="post" action="/risks/3/actions" class="form">
  <input type="hidden" name="csrf" value="c">
  <input type="hidden" name="once" value="t0k3n">
  <input id="d" name="description" type="text" value="A &amp; B &quot;C&quot;">
  <input type="checkbox" name="flag" value="1">
  <input type="radio" name="pick" value="a"><input type="radio" name="pick" value="b" checked>
  <select name="owner"><option value="">-</option><option value="7" selected>Seven</option></select>
  <select name="level"><option value="1">1</option><option value="2">2</option></select>
  <select name="assets" multiple><option value="4">4</option></select>
  <textarea name="note">
line &lt;1&gt;</textarea>
  <button type="submit">Save</button>
</form>"#;
        let fields = form_fields(html, "/risks/3/actions");
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            vec![
                ("csrf", "c"),
                ("once", "t0k3n"),
                ("description", "A & B \"C\""),
                ("pick", "b"),
                ("owner", "7"),
                ("level", "1"),
                ("note", "line <1>"),
            ]
        );
        assert_eq!(once_token(&fields), "t0k3n");
        let changed = filled(fields, &[("level", "2"), ("due_on", "2027-03-31")]);
        assert!(changed.contains(&("level".into(), "2".into())));
        assert!(changed.contains(&("due_on".into(), "2027-03-31".into())));
    }

    #[test]
    #[should_panic(expected = "no form posting to /missing")]
    fn a_missing_form_fails_the_test() {
        form_fields("<form method=\"post\" action=\"/x\"></form>", "/missing");
    }
}
