//! Treatment actions of a risk: added and completed.

use super::*;

pub async fn add_action(
    State(state): State<AppState>,
    ctx: Ctx,
    signed: SignedIn,
    Path(id): Path<String>,
    WebForm(form): WebForm<ActionForm>,
) -> Result<Response, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Risks,
            Act::Edit,
            "risks.add_action",
        )
        .await?;
    let id = parse_id(&id)?;
    match treatment::add_action(&state.app, &signed.0.acting, id, &form).await {
        Ok(_) => Ok(see_other(&format!("/risks/{id}#actions"))),
        Err(failure) => {
            let problems = problems_of(failure)?;
            let action_errors =
                crate::http::forms::field_errors(&problems, &ctx.tr, super::field_key);
            let forms = ShowForms {
                action_form: form,
                action_errors,
                action_asks_past: crate::http::forms::asks_confirmation(&problems),
                ..ShowForms::default()
            };
            render_show(&state, &ctx, &signed, id, forms).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CompleteForm {
    pub done_on: String,
}

pub async fn complete_action(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, action_id)): Path<(String, String)>,
    WebForm(form): WebForm<CompleteForm>,
) -> Result<Response, AppError> {
    state
        .app
        .permit(
            &signed.0.acting,
            Register::Risks,
            Act::Edit,
            "risks.complete_action",
        )
        .await?;
    let (id, action_id) = (parse_id(&id)?, parse_id(&action_id)?);
    treatment::complete_action(&state.app, &signed.0.acting, id, action_id, &form.done_on).await?;
    Ok(see_other(&format!("/risks/{id}#actions")))
}
