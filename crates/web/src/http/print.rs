//! The print view of a list: `?print=portrait` or `?print=landscape` shows the list
//! with as many rows as a page of the list may hold, a print button, and a marker that
//! makes print.css lay the sheets out on A4 in that orientation.

use axum::http::StatusCode;
use serde::Deserialize;

use crate::http::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    Portrait,
    Landscape,
}

impl Orientation {
    pub fn code(self) -> &'static str {
        match self {
            Orientation::Portrait => "portrait",
            Orientation::Landscape => "landscape",
        }
    }

    /// What the print view says it is ("印刷用の表示（A4横）です。").
    pub fn notice_key(self) -> &'static str {
        match self {
            Orientation::Portrait => "print.view_portrait",
            Orientation::Landscape => "print.view_landscape",
        }
    }
}

/// The `print` parameter, read apart from the list's own filters.
#[derive(Debug, Default, Deserialize)]
pub struct PrintQuery {
    pub print: Option<String>,
}

impl PrintQuery {
    /// None for the ordinary view; a 400 naming the choices for anything else.
    pub fn orientation(&self) -> Result<Option<Orientation>, AppError> {
        match self.print.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some("portrait") => Ok(Some(Orientation::Portrait)),
            Some("landscape") => Ok(Some(Orientation::Landscape)),
            Some(_) => Err(AppError::new(
                StatusCode::BAD_REQUEST,
                "invalid_print",
                "print.error.orientation",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(value: Option<&str>) -> PrintQuery {
        PrintQuery {
            print: value.map(str::to_owned),
        }
    }

    #[test]
    fn reads_the_two_orientations_and_refuses_anything_else() {
        assert_eq!(query(None).orientation().unwrap(), None);
        assert_eq!(query(Some("")).orientation().unwrap(), None);
        assert_eq!(
            query(Some("landscape")).orientation().unwrap(),
            Some(Orientation::Landscape)
        );
        assert_eq!(
            query(Some(" portrait ")).orientation().unwrap(),
            Some(Orientation::Portrait)
        );
        for bad in ["横", "LANDSCAPE", "a3"] {
            let error = query(Some(bad)).orientation().unwrap_err();
            assert_eq!(error.status, StatusCode::BAD_REQUEST, "{bad}");
        }
    }
}
