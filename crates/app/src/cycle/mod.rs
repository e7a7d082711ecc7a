//! The cycle blocks every register uses: the calendar (closed days, deadlines counted in
//! 暦日 or 開庁日), recurring reviews of any record, and the corrective-actions register.

pub mod actions;
pub mod calendar;
pub mod reviews;

pub use mamori_domain::calendar::{
    ClosedDay, ClosedKind, DayCount, Deadline, DeadlineInput, FiscalYear, HolidayInput,
};
pub use mamori_domain::corrective::{ActionInput, ActionStatus, StatusInput};
pub use mamori_domain::record::{RecordKind, RecordRef};
pub use mamori_domain::review::{
    Assignee, DueState, ReviewInput, ReviewRule, ScheduleInput, due_state,
};
pub use mamori_store::calendar::ImportCounts;
pub use mamori_store::corrective::CorrectiveAction;
pub use mamori_store::reviews::{Review, ScheduleRecord};

use crate::{Acting, App, Outcome};
use mamori_domain::access::Act;

/// Whether `subject` exists and `acting` may read it (its register's grant, and for a
/// record held on a need-to-know basis, that they may see it). `NotFound` otherwise.
pub(crate) async fn readable(app: &App, acting: &Acting, subject: RecordRef) -> Outcome<()> {
    let register = subject.kind.register();
    if !acting.may(register, Act::Read) {
        return Err(crate::Failure::NotFound);
    }
    match subject.kind {
        RecordKind::PolicyDocument => {
            mamori_store::policies::document(app.store(), subject.id).await?;
        }
        RecordKind::Risk => {
            mamori_store::risks::risk(app.store(), acting.viewer(), subject.id).await?;
        }
        RecordKind::CorrectiveAction => {
            let action = mamori_store::corrective::get(app.store(), subject.id).await?;
            if !actions::may_see(acting, &action) {
                return Err(crate::Failure::NotFound);
            }
        }
        RecordKind::Asset => {
            mamori_store::assets::get(app.store(), acting.viewer(), subject.id).await?;
        }
        RecordKind::Exception => {
            let exception = mamori_store::exceptions::get(app.store(), subject.id).await?;
            if !crate::exceptions::may_read(acting, exception.created_by) {
                return Err(crate::Failure::NotFound);
            }
        }
        RecordKind::Incident => {
            crate::incidents::fully_seen(app, acting, subject.id).await?;
        }
        // A drill's findings are acted on through the continuity plan.
        RecordKind::TrainingSession => {
            crate::continuity::drill_readable(app, acting, subject.id).await?;
        }
        // The parts of a record are reviewed and acted on through the record; a redaction
        // is decided once and reviewed through the retention page.
        RecordKind::PolicyVersion
        | RecordKind::AssetTakeout
        | RecordKind::RiskAcceptance
        | RecordKind::Redaction
        | RecordKind::AwarenessNotice
        | RecordKind::TrainingPlan
        | RecordKind::TrainingAttendance
        | RecordKind::Pledge => {
            return Err(crate::Failure::NotFound);
        }
    }
    Ok(())
}
