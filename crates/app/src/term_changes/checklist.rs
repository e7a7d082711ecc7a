//! A change's checklist as the registers show it today: for each person, each item's
//! state read from posts, accounts, assets, take-outs, signatures and attendance, the
//! secretariat's settings-aside on top, and its own lines. Every person of a change is
//! read with one query per register, not one per person.

use std::collections::HashMap;

use mamori_domain::policy_lifecycle::must_acknowledge;
use mamori_domain::term_change::{Direction, Item, ItemState, derived_state};
use mamori_domain::training as rules;
use mamori_store::term_changes::{
    self as store, ChangeRecord, HeldAsset, HeldPost, MarkRow, OpenTakeOut, PersonRow,
};
use time::Date;

use crate::{App, Failure};

/// What a line of the checklist points at.
#[derive(Debug, Clone)]
pub enum Detail {
    /// A post held (or deputised) from the day on.
    Post(HeldPost),
    Asset(HeldAsset),
    TakeOut(OpenTakeOut),
    /// Published documents not yet acknowledged (signed).
    Unacknowledged(i64),
    /// No pledge is published, so there is nothing to sign yet.
    NoPledgePublished,
    /// The first counted training since the day.
    TrainedOn(Date),
    /// The person has no account yet.
    NoAccount,
}

/// One item of a person's checklist.
#[derive(Debug, Clone)]
pub struct ItemLine {
    pub item: Item,
    pub state: ItemState,
    /// The secretariat's line, or its standing setting-aside of the item.
    pub mark: Option<MarkRow>,
    pub details: Vec<Detail>,
}

/// One person and their items.
#[derive(Debug, Clone)]
pub struct PersonChecklist {
    pub person: PersonRow,
    pub items: Vec<ItemLine>,
}

impl PersonChecklist {
    pub fn settled(&self) -> usize {
        self.items.iter().filter(|i| i.state.settled()).count()
    }

    pub fn done(&self) -> bool {
        self.settled() == self.items.len()
    }
}

/// What the registers say about every person of one change.
struct Evidence {
    posts: Vec<HeldPost>,
    assets: Vec<HeldAsset>,
    take_outs: Vec<OpenTakeOut>,
    /// user → (pledges, other documents) not acknowledged.
    unacknowledged: HashMap<i64, (i64, i64)>,
    pledge_published: bool,
    /// user → first counted training on or after the day.
    trained: HashMap<i64, Date>,
}

async fn evidence(app: &App, change: &ChangeRecord) -> Result<Evidence, Failure> {
    let store = app.store();
    let day = change.effective_on;
    let training_rules = mamori_store::training::rules(store).await?;
    let far = day + time::Duration::days(3_660);
    let mut trained: HashMap<i64, Date> = HashMap::new();
    for c in mamori_store::training::attendance_between(store, day, far).await? {
        if rules::counts(c.status, c.way, c.confirmed)
            && training_rules.new_people.course_kinds.contains(&c.kind)
        {
            let first = trained.entry(c.user_id).or_insert(c.held_on);
            *first = (*first).min(c.held_on);
        }
    }
    Ok(Evidence {
        posts: store::posts_from(store, change.id, day).await?,
        assets: store::assets_held(store, change.id).await?,
        take_outs: store::open_take_outs(store, change.id).await?,
        unacknowledged: store::unacknowledged(store, change.id)
            .await?
            .into_iter()
            .map(|(user, pledges, others)| (user, (pledges, others)))
            .collect(),
        pledge_published: store::pledge_published(store).await?,
        trained,
    })
}

/// Every person's checklist, those leaving first.
pub(super) async fn build(
    app: &App,
    change: &ChangeRecord,
) -> Result<Vec<PersonChecklist>, Failure> {
    let people = store::people(app.store(), change.id).await?;
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let marks = store::marks(app.store(), change.id).await?;
    let evidence = evidence(app, change).await?;
    Ok(people
        .into_iter()
        .map(|person| {
            let mine: Vec<&MarkRow> = marks.iter().filter(|m| m.person_id == person.id).collect();
            let mut items: Vec<ItemLine> = person
                .direction
                .items()
                .iter()
                .map(|&item| {
                    let (done, details) = read(item, &person, change.effective_on, &evidence);
                    let aside = mine
                        .iter()
                        .rev()
                        .find(|m| m.item == item && m.state == ItemState::SetAside);
                    ItemLine {
                        item,
                        state: derived_state(done, aside.is_some()),
                        mark: aside.map(|m| (*m).clone()),
                        details,
                    }
                })
                .collect();
            items.extend(
                mine.iter()
                    .filter(|m| m.item == Item::Line)
                    .map(|m| ItemLine {
                        item: Item::Line,
                        state: m.state,
                        mark: Some((*m).clone()),
                        details: Vec::new(),
                    }),
            );
            PersonChecklist { person, items }
        })
        .collect())
}

/// Whether the registers show `item` done for `person`, and what they show.
fn read(item: Item, person: &PersonRow, day: Date, e: &Evidence) -> (bool, Vec<Detail>) {
    let Some(user_id) = person.user_id else {
        return (false, vec![Detail::NoAccount]);
    };
    let posts = || -> Vec<Detail> {
        e.posts
            .iter()
            .filter(|p| p.user_id == user_id)
            .map(|p| Detail::Post(p.clone()))
            .collect()
    };
    match item {
        Item::PostsEnded => {
            let held = posts();
            (held.is_empty(), held)
        }
        Item::AccountClosed => (!person.active, Vec::new()),
        Item::AssetsHandedOver => {
            let held: Vec<Detail> = e
                .assets
                .iter()
                .filter(|a| a.user_id == user_id)
                .map(|a| Detail::Asset(a.clone()))
                .collect();
            (held.is_empty(), held)
        }
        Item::TakeOutsReturned => {
            let out: Vec<Detail> = e
                .take_outs
                .iter()
                .filter(|t| t.user_id == user_id)
                .map(|t| Detail::TakeOut(t.clone()))
                .collect();
            (out.is_empty(), out)
        }
        Item::AccountOpened => (person.active, Vec::new()),
        Item::PostsGiven => {
            // A deputyship is not a post of one's own.
            let held: Vec<Detail> = posts()
                .into_iter()
                .filter(|d| matches!(d, Detail::Post(p) if !p.as_deputy))
                .collect();
            (!held.is_empty(), held)
        }
        Item::PledgeSigned | Item::PolicyAcknowledged
            if person.user_type.is_some_and(|t| !must_acknowledge(t)) =>
        {
            (true, Vec::new())
        }
        Item::PledgeSigned => {
            if !e.pledge_published {
                return (false, vec![Detail::NoPledgePublished]);
            }
            let pending = e.unacknowledged.get(&user_id).map_or(0, |p| p.0);
            (pending == 0, unacknowledged(pending))
        }
        Item::PolicyAcknowledged => {
            let pending = e.unacknowledged.get(&user_id).map_or(0, |p| p.1);
            (pending == 0, unacknowledged(pending))
        }
        Item::FirstTraining => match e.trained.get(&user_id) {
            Some(on) if *on >= day => (true, vec![Detail::TrainedOn(*on)]),
            _ => (false, Vec::new()),
        },
        Item::Line => (false, Vec::new()),
    }
}

fn unacknowledged(pending: i64) -> Vec<Detail> {
    if pending == 0 {
        Vec::new()
    } else {
        vec![Detail::Unacknowledged(pending)]
    }
}

/// The direction's people, for a page's sections.
pub fn of(people: &[PersonChecklist], direction: Direction) -> Vec<&PersonChecklist> {
    people
        .iter()
        .filter(|p| p.person.direction == direction)
        .collect()
}
