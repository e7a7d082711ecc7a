//! Continuity (業務継続, issue 18 item 7; clauses 3 and 3(4)): the critical services
//! (重要業務) by priority with their target recovery time, the post responsible, the
//! manual workarounds (代替手段) and the assets they depend on; the alternate-staff roster
//! (代替要員) with each alternate's training status from the organisation register; the
//! drills (訓練) — training sessions of kind drill — with the scenario of the published
//! emergency response plan they exercised, how they went and the corrective actions
//! their findings became. Grants are those of `Register::Continuity`; a member reads only
//! through a post (`mamori_domain::continuity::may_read`).

mod drills;

use std::collections::HashMap;

use mamori_domain::access::{Act, Register};
use mamori_domain::calendar::FiscalYear;
use mamori_domain::continuity::{
    self as rules, CoverInput, Covered, ServiceForm, ServiceInput, Warning,
};
use mamori_domain::field::FieldProblem;
use mamori_domain::training::Standing;
use mamori_domain::wareki::Lang;
use mamori_store::StoreError;
use mamori_store::continuity::{self as store, Words};
use mamori_store::organisation::{self as org_store, Post};
use mamori_store::users::User;

pub(crate) use drills::readable as drill_readable;
pub use drills::{
    DrillLine, DrillView, ScenarioChoice, add_finding, drill, drills_of_year, save_drill,
};
pub use mamori_store::continuity::{Alternate, Cover, Drill, Service};

use crate::{Acting, App, Failure, Permit, today};

/// Whether the acting person reads the continuity plan.
pub fn reads(acting: &Acting) -> bool {
    let granted = acting.may(Register::Continuity, Act::Read);
    match &acting.user {
        None => true,
        Some(user) => rules::may_read(granted, user.role, user.user_type, &acting.posts),
    }
}

/// Refuses (and records) one who may not read the plan, before ids or bodies are read.
pub async fn read_gate(app: &App, acting: &Acting, what: &str) -> Result<(), Failure> {
    if reads(acting) {
        return Ok(());
    }
    app.record_denial(acting, what).await;
    Err(Failure::Denied {
        register: Register::Continuity,
        act: Act::Read,
    })
}

/// Refuses (and records) one who may not keep the plan.
pub async fn edit_gate<'a>(
    app: &App,
    acting: &'a Acting,
    what: &str,
) -> Result<Permit<'a>, Failure> {
    app.permit(acting, Register::Continuity, Act::Edit, what)
        .await
}

/// One alternate as the roster shows them.
#[derive(Debug, Clone)]
pub struct AlternateView {
    pub person: Alternate,
    /// Their standing with the yearly training rule this 年度 (None: not counted, such
    /// as a contractor or a closed account).
    pub standing: Option<Standing>,
    /// They took part in an emergency drill this 年度.
    pub drilled: bool,
    pub warnings: Vec<Warning>,
}

/// A roster entry with what the reader needs to judge it.
#[derive(Debug, Clone)]
pub struct CoverView {
    pub cover: Cover,
    /// Whom it covers, in words: a person's name, or the post (None: the page names it).
    pub covered_name: Option<String>,
    pub covered_post: Option<Post>,
    pub alternates: Vec<AlternateView>,
}

/// A critical service with what it depends on and who covers it.
#[derive(Debug, Clone)]
pub struct ServiceView {
    pub service: Service,
    pub post: Option<Post>,
    /// The assets it depends on that the reader may see: (id, name).
    pub assets: Vec<(i64, String)>,
    /// How many more it depends on that the reader may not see.
    pub hidden_assets: usize,
    /// The roster entries that cover it (by the id in `Overview::covers`).
    pub covers: Vec<i64>,
    pub warnings: Vec<Warning>,
}

/// The continuity page.
#[derive(Debug, Clone)]
pub struct Overview {
    pub services: Vec<ServiceView>,
    pub covers: Vec<CoverView>,
    pub drills: Vec<DrillLine>,
    pub fiscal_year: FiscalYear,
    pub years: Vec<i32>,
    pub may_edit: bool,
}

impl Overview {
    /// The active services no roster entry covers.
    pub fn uncovered(&self) -> usize {
        self.services
            .iter()
            .filter(|s| !s.service.retired && s.warnings.contains(&Warning::NoAlternate))
            .count()
    }
}

/// Holders of each post today.
async fn holders(app: &App) -> Result<HashMap<i64, Vec<i64>>, Failure> {
    let mut map: HashMap<i64, Vec<i64>> = HashMap::new();
    for term in org_store::terms_on(app.store(), today()).await? {
        map.entry(term.post_id).or_default().push(term.holder_id);
    }
    Ok(map)
}

async fn asset_names(
    app: &App,
    acting: &Acting,
    ids: &[i64],
) -> Result<(Vec<(i64, String)>, usize), Failure> {
    let mut seen = Vec::new();
    let mut hidden = 0;
    for id in ids {
        match mamori_store::assets::get(app.store(), acting.viewer(), *id).await {
            Ok(asset) => seen.push((asset.id, asset.name)),
            Err(StoreError::NotFound) => hidden += 1,
            Err(e) => return Err(e.into()),
        }
    }
    Ok((seen, hidden))
}

/// The roster with training status, and the services with their warnings.
async fn build(
    app: &App,
    acting: &Acting,
    services: Vec<Service>,
) -> Result<(Vec<ServiceView>, Vec<CoverView>), Failure> {
    let posts = org_store::posts(app.store()).await?;
    let holders = holders(app).await?;
    let standings = crate::training::standings(app, FiscalYear::of(today())).await?;
    let people: HashMap<i64, String> = crate::users::active_accounts(app)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let covers = store::covers(app.store()).await?;
    let covering = |c: &Covered| -> Vec<i64> {
        match c {
            Covered::Person(p) => vec![*p],
            Covered::Post(p) => holders.get(p).cloned().unwrap_or_default(),
        }
    };
    let cover_views: Vec<CoverView> = covers
        .into_iter()
        .map(|cover| {
            let covered = covering(&cover.covered);
            let alternates = cover
                .alternates
                .iter()
                .map(|a| {
                    let status = standings.get(&a.user_id);
                    AlternateView {
                        person: a.clone(),
                        standing: status.map(|s| s.0),
                        drilled: status.is_some_and(|s| s.1),
                        warnings: rules::alternate_warnings(a.user_id, a.active, &covered),
                    }
                })
                .collect();
            let (covered_name, covered_post) = match cover.covered {
                Covered::Person(p) => (
                    Some(people.get(&p).cloned().unwrap_or_else(|| format!("#{p}"))),
                    None,
                ),
                Covered::Post(p) => (None, posts.iter().find(|x| x.id == p).cloned()),
            };
            CoverView {
                cover,
                covered_name,
                covered_post,
                alternates,
            }
        })
        .collect();
    let mut views = Vec::new();
    for service in services {
        let (assets, hidden_assets) = asset_names(app, acting, &service.asset_ids).await?;
        let service_holders = service
            .post_id
            .and_then(|p| holders.get(&p).cloned())
            .unwrap_or_default();
        let covers: Vec<i64> = cover_views
            .iter()
            .filter(|c| match (c.cover.service_id, c.cover.covered) {
                (Some(s), _) => s == service.id,
                (None, Covered::Post(p)) => Some(p) == service.post_id,
                (None, Covered::Person(p)) => service_holders.contains(&p),
            })
            .map(|c| c.cover.id)
            .collect();
        let mut warnings: Vec<Warning> = cover_views
            .iter()
            .filter(|c| covers.contains(&c.cover.id))
            .flat_map(|c| c.alternates.iter().flat_map(|a| a.warnings.clone()))
            .collect();
        if covers.is_empty() {
            warnings.push(Warning::NoAlternate);
        }
        warnings.sort_unstable();
        warnings.dedup();
        views.push(ServiceView {
            post: service
                .post_id
                .and_then(|p| posts.iter().find(|x| x.id == p).cloned()),
            service,
            assets,
            hidden_assets,
            covers,
            warnings,
        });
    }
    Ok((views, cover_views))
}

/// The 年度 offered: those of training (drills are training sessions).
pub async fn years(app: &App) -> Result<Vec<i32>, Failure> {
    crate::training::years(app).await
}

/// The continuity page for `fy`.
pub async fn overview(app: &App, acting: &Acting, fy: FiscalYear) -> Result<Overview, Failure> {
    read_gate(app, acting, "continuity.overview").await?;
    let services = store::services(app.store()).await?;
    let (services, covers) = build(app, acting, services).await?;
    Ok(Overview {
        drills: drills_of_year(app, acting, fy).await?,
        years: years(app).await?,
        fiscal_year: fy,
        may_edit: acting.may(Register::Continuity, Act::Edit),
        services,
        covers,
    })
}

/// For the security officer's home page: how many active services have no alternate
/// (None for those who do not keep the plan).
pub async fn uncovered_for(app: &App, acting: &Acting) -> Result<Option<usize>, Failure> {
    if acting.user.is_none() || !acting.may(Register::Continuity, Act::Edit) {
        return Ok(None);
    }
    let services: Vec<Service> = store::services(app.store())
        .await?
        .into_iter()
        .filter(|s| !s.retired)
        .collect();
    let (views, _) = build(app, acting, services).await?;
    let count = views
        .iter()
        .filter(|v| v.warnings.contains(&Warning::NoAlternate))
        .count();
    Ok((count > 0).then_some(count))
}

/// One service's page.
#[derive(Debug, Clone)]
pub struct ServiceDetail {
    pub view: ServiceView,
    pub covers: Vec<CoverView>,
    pub may_edit: bool,
}

pub async fn service(app: &App, acting: &Acting, id: i64) -> Result<ServiceDetail, Failure> {
    read_gate(app, acting, "continuity.service").await?;
    let service = store::service(app.store(), id).await?;
    let (mut views, covers) = build(app, acting, vec![service]).await?;
    let view = views.pop().ok_or(Failure::NotFound)?;
    let covers = covers
        .into_iter()
        .filter(|c| view.covers.contains(&c.cover.id))
        .collect();
    Ok(ServiceDetail {
        view,
        covers,
        may_edit: acting.may(Register::Continuity, Act::Edit),
    })
}

/// The posts a service may name, in calling order.
pub async fn posts(app: &App) -> Result<Vec<Post>, Failure> {
    Ok(org_store::posts(app.store()).await?)
}

/// The assets the acting person may link (those they see), by name.
pub async fn asset_choices(app: &App, acting: &Acting) -> Result<Vec<(i64, String)>, Failure> {
    let page = mamori_store::assets::list(
        app.store(),
        acting.viewer(),
        &mamori_store::assets::Filter::default(),
        mamori_store::assets::Sort::Name,
        0,
        2000,
    )
    .await?;
    Ok(page.assets.into_iter().map(|a| (a.id, a.name)).collect())
}

/// Checks the form, the post and the assets (each one the person sees).
async fn checked(
    app: &App,
    acting: &Acting,
    form: &ServiceForm,
    assets: &[i64],
) -> Result<ServiceInput, Failure> {
    let mut problems = Vec::new();
    let input = form.check();
    if let Ok(input) = &input
        && let Some(post) = input.post_id
        && !org_store::posts(app.store())
            .await?
            .iter()
            .any(|p| p.id == post)
    {
        problems.push(FieldProblem::new("post_id", "error.invalid_choice"));
    }
    for asset in assets {
        match mamori_store::assets::get(app.store(), acting.viewer(), *asset).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => {
                problems.push(FieldProblem::new("assets", "continuity.error.asset"));
                break;
            }
            Err(e) => return Err(e.into()),
        }
    }
    match input {
        Err(mut first) => {
            first.extend(problems);
            Err(Failure::Invalid(first))
        }
        Ok(_) if !problems.is_empty() => Err(Failure::Invalid(problems)),
        Ok(input) => Ok(input),
    }
}

fn dedup(ids: &[i64]) -> Vec<i64> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Adds a critical service; its id.
pub async fn create_service(
    app: &App,
    acting: &Acting,
    form: &ServiceForm,
    assets: &[i64],
) -> Result<i64, Failure> {
    let permit = edit_gate(app, acting, "continuity.service_create").await?;
    let assets = dedup(assets);
    let input = checked(app, acting, form, &assets).await?;
    let mut tx = permit.write(app).await?;
    let id = store::create(&mut tx, &input, form.rto.trim(), &assets).await?;
    tx.commit().await?;
    Ok(id)
}

/// A text as shown in `lang`, kept for both languages when it was not changed; what was
/// rewritten is kept as written, in both.
fn settle<T: Clone + PartialEq>(lang: Lang, ja: &T, en: &T, typed: &T) -> (T, T) {
    let shown = match lang {
        Lang::Ja => ja,
        Lang::En => en,
    };
    if typed == shown {
        (ja.clone(), en.clone())
    } else {
        (typed.clone(), typed.clone())
    }
}

/// Rewrites a service as read in `lang` (the form showed that language's words).
/// `assets`: the links the person chose among those they see; links to assets they do
/// not see are kept. Returns whether anything changed.
pub async fn update_service(
    app: &App,
    acting: &Acting,
    id: i64,
    form: &ServiceForm,
    assets: &[i64],
    lang: Lang,
) -> Result<bool, Failure> {
    let permit = edit_gate(app, acting, "continuity.service_update").await?;
    let before = store::service(app.store(), id).await?;
    let chosen = dedup(assets);
    let input = checked(app, acting, form, &chosen).await?;
    let (_, hidden) = asset_names(app, acting, &before.asset_ids).await?;
    let mut all = chosen;
    if hidden > 0 {
        for asset in &before.asset_ids {
            if let Err(StoreError::NotFound) =
                mamori_store::assets::get(app.store(), acting.viewer(), *asset).await
            {
                all.push(*asset);
            }
        }
    }
    let all = dedup(&all);
    let (name_ja, name_en) = settle(lang, &before.name_ja, &before.name_en, &input.name);
    let (description_ja, description_en) = settle(
        lang,
        &before.description_ja,
        &before.description_en,
        &input.description,
    );
    let (workarounds_ja, workarounds_en) = settle(
        lang,
        &before.workarounds_ja,
        &before.workarounds_en,
        &input.workarounds,
    );
    let words = Words {
        name_ja,
        name_en,
        description_ja,
        description_en,
        workarounds_ja,
        workarounds_en,
    };
    let mut tx = permit.write(app).await?;
    let changed = store::update(&mut tx, &before, &words, &input, form.rto.trim(), &all).await?;
    tx.commit().await?;
    Ok(changed)
}

/// The roster's page: the entries, and what a new one may name.
#[derive(Debug, Clone)]
pub struct Roster {
    pub covers: Vec<CoverView>,
    pub services: Vec<Service>,
    pub posts: Vec<Post>,
    pub people: Vec<User>,
    pub may_edit: bool,
}

pub async fn roster(app: &App, acting: &Acting) -> Result<Roster, Failure> {
    read_gate(app, acting, "continuity.roster").await?;
    let services = store::services(app.store()).await?;
    let (_, covers) = build(app, acting, Vec::new()).await?;
    Ok(Roster {
        covers,
        services: services.into_iter().filter(|s| !s.retired).collect(),
        posts: org_store::posts(app.store()).await?,
        people: crate::users::active_accounts(app).await?,
        may_edit: acting.may(Register::Continuity, Act::Edit),
    })
}

/// A roster entry as typed: whom (`user:<login>`… read as `user:<id>` or `post:<id>`),
/// the service (an id, or blank for all the covered one does), the alternates' logins
/// in order (blanks skipped), a note.
#[derive(Debug, Clone, Default)]
pub struct CoverForm {
    pub covered: String,
    pub service: String,
    pub alternates: Vec<String>,
    pub note: String,
}

/// Adds an entry to the roster; its id.
pub async fn add_cover(app: &App, acting: &Acting, form: &CoverForm) -> Result<i64, Failure> {
    let permit = edit_gate(app, acting, "continuity.cover_add").await?;
    let people = crate::users::active_accounts(app).await?;
    let mut unknown = false;
    let alternates: Vec<Option<i64>> = form
        .alternates
        .iter()
        .map(|login| match login.trim() {
            "" => None,
            login => {
                let found = people.iter().find(|u| u.login == login).map(|u| u.id);
                unknown |= found.is_none();
                found
            }
        })
        .collect();
    if unknown {
        return Err(Failure::invalid(FieldProblem::new(
            "alternates",
            "continuity.error.alternate",
        )));
    }
    let input: CoverInput =
        rules::check_cover(&form.covered, &form.service, &alternates, &form.note)?;
    let known = match input.covered {
        Covered::Person(p) => people.iter().any(|u| u.id == p),
        Covered::Post(p) => org_store::posts(app.store())
            .await?
            .iter()
            .any(|x| x.id == p),
    };
    if !known {
        return Err(Failure::invalid(FieldProblem::new(
            "covered",
            "continuity.error.covered",
        )));
    }
    if let Some(service) = input.service_id {
        match store::service(app.store(), service).await {
            Ok(s) if !s.retired => {}
            Ok(_) | Err(StoreError::NotFound) => {
                return Err(Failure::invalid(FieldProblem::new(
                    "service",
                    "error.invalid_choice",
                )));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mut tx = permit.write(app).await?;
    let id = store::add_cover(&mut tx, &input).await?;
    tx.commit().await?;
    Ok(id)
}

/// Removes an entry of the roster.
pub async fn remove_cover(app: &App, acting: &Acting, id: i64) -> Result<(), Failure> {
    let permit = edit_gate(app, acting, "continuity.cover_remove").await?;
    let cover = store::covers(app.store())
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(Failure::NotFound)?;
    let mut tx = permit.write(app).await?;
    store::remove_cover(&mut tx, &cover).await?;
    tx.commit().await?;
    Ok(())
}

/// A service's name in `lang`.
pub fn name(service: &Service, lang: Lang) -> &str {
    match lang {
        Lang::Ja => &service.name_ja,
        Lang::En => &service.name_en,
    }
}

pub fn description(service: &Service, lang: Lang) -> &str {
    match lang {
        Lang::Ja => &service.description_ja,
        Lang::En => &service.description_en,
    }
}

pub fn workarounds(service: &Service, lang: Lang) -> &[String] {
    match lang {
        Lang::Ja => &service.workarounds_ja,
        Lang::En => &service.workarounds_en,
    }
}
