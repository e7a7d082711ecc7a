//! Request parsing that a page and its API share: paging, the list filters of an
//! area, and how a moment is written. Plain HTTP plumbing (query text in, typed values or
//! a 4xx out); input rules themselves stay in the domain.

pub mod assets;
pub mod audit;
pub mod cycle;
pub mod incidents;
pub mod organisation;
pub mod pagination;
pub mod policies;
pub mod retention;
pub mod risks;
pub mod training;

/// A moment as the API gives it: RFC 3339, UTC, to the second.
pub fn timestamp(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let at = at.replace_nanosecond(0).unwrap_or(at);
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A query parameter's value, trimmed; an empty one counts as absent.
pub fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}
