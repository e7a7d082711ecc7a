//! The incidents linked to an asset, threat or risk, for that record's page: shown to
//! those who see every incident (anyone else learns of none), with a reassessment the
//! incident's handlers asked for and that is still open.

use mamori_app::Acting;
use mamori_domain::incident::LinkKind;

use crate::http::context::Ctx;
use crate::http::error::AppError;
use crate::state::AppState;

/// One linked incident as a record's page lists it.
pub struct LinkedIncident {
    pub path: String,
    pub name: String,
    /// The reassessment asked and not yet done (risks only), in words; else empty.
    pub asked: String,
}

pub async fn load(
    state: &AppState,
    ctx: &Ctx,
    acting: &Acting,
    kind: LinkKind,
    id: i64,
) -> Result<Vec<LinkedIncident>, AppError> {
    Ok(
        mamori_app::incidents::links::linked_to(&state.app, acting, kind, id)
            .await?
            .into_iter()
            .map(|l| LinkedIncident {
                path: format!("/incidents/{}", l.incident_id),
                name: format!("{} {}", l.incident_number, l.incident_title),
                asked: match l.reassess_asked_at {
                    Some(at) if !l.reassessed => ctx.tr.f(
                        "incident.links.reassess_asked",
                        &[
                            ("date", ctx.datetime(at)),
                            ("reason", l.reassess_reason.clone()),
                        ],
                    ),
                    _ => String::new(),
                },
            })
            .collect(),
    )
}
