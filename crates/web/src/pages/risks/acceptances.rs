//! Acceptances of a risk: proposed by the security officer, decided by the CISO (never
//! by the person who proposed it).

use super::*;

/// A proposal as the form sends it: the acceptance, and which CISO is to decide it.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ProposalForm {
    #[serde(flatten)]
    acceptance: AcceptanceForm,
    #[serde(flatten)]
    send: crate::http::approval_view::SendForm,
}

pub async fn propose_acceptance(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    WebForm(ProposalForm {
        acceptance: form,
        send,
    }): WebForm<ProposalForm>,
) -> Result<Response, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Risks,
            Act::Edit,
            "risks.propose_acceptance",
        )
        .await?;
    let id = parse_id(&id)?;
    let sent = send.input();
    match treatment::propose_acceptance(&state.app, &signed.0.acting, id, &form, &sent).await {
        Ok(_) => Ok(see_other(&format!("/risks/{id}#acceptances"))),
        Err(failure) => {
            let problems = problems_of(failure)?;
            let acceptance_errors =
                crate::http::forms::field_errors(&problems, &ctx.tr, super::field_key);
            let forms = ShowForms {
                acceptance_form: form,
                acceptance_errors,
                acceptance_asks_past: crate::http::forms::asks_confirmation(&problems),
                send,
                ..ShowForms::default()
            };
            render_show(&state, &ctx, &signed, id, forms).await
        }
    }
}

/// The CISO's decision on a proposed acceptance (`treatment::decide_acceptance`).
pub async fn decide_acceptance(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, acceptance_id)): Path<(String, String)>,
    WebForm(form): WebForm<crate::http::forms::DecisionForm>,
) -> Result<Response, AppError> {
    let acting = &signed.0.acting;
    state
        .app
        .permit(
            acting,
            Register::Risks,
            Act::Decide,
            "risks.decide_acceptance",
        )
        .await
        .map_err(|f| crate::http::params::risks::decision_refused(acting, f))?;
    let (id, acceptance_id) = (parse_id(&id)?, parse_id(&acceptance_id)?);
    let (accept, note) = form.read()?;
    treatment::decide_acceptance(&state.app, acting, id, acceptance_id, accept, &note)
        .await
        .map_err(|f| crate::http::params::risks::decision_refused(acting, f))?;
    Ok(see_other(&format!("/risks/{id}#acceptances")))
}
