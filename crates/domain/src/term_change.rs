//! Term change (改選, issue 17 item 7): after a general election, a by-election or a
//! resignation, one checklist of what must happen for each person who leaves and each
//! who joins. Most items are read from the registers themselves (a post still held, an
//! asset not handed over, a pledge not signed), so the checklist cannot say "done" while
//! the register says otherwise; the secretariat adds its own lines (accounts in other
//! systems, a tablet to return) and may set an item aside as not applicable, with a
//! reason. What an item's state is, given what the registers say, is decided here.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::field::FieldProblem;
use crate::risk_input::{date_field, line_field, long_field};

pub const TITLE_MAX: usize = 200;
pub const NOTE_MAX: usize = 2_000;
pub const LABEL_MAX: usize = 200;
pub const REASON_MAX: usize = 1_000;
pub const NAME_MAX: usize = 100;

/// Why members change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// 一般選挙 (the whole assembly)
    GeneralElection,
    /// 補欠選挙・再選挙
    ByElection,
    /// 辞職・失職・死亡 (one member leaves)
    Resignation,
    Other,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 4] = [
        ChangeKind::GeneralElection,
        ChangeKind::ByElection,
        ChangeKind::Resignation,
        ChangeKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::GeneralElection => "general_election",
            ChangeKind::ByElection => "by_election",
            ChangeKind::Resignation => "resignation",
            ChangeKind::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<ChangeKind> {
        ChangeKind::ALL.into_iter().find(|k| k.as_str() == code)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            ChangeKind::GeneralElection => "term_change.kind.general_election",
            ChangeKind::ByElection => "term_change.kind.by_election",
            ChangeKind::Resignation => "term_change.kind.resignation",
            ChangeKind::Other => "term_change.kind.other",
        }
    }
}

/// Whether a person leaves or joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Leaving,
    Joining,
}

impl Direction {
    pub const ALL: [Direction; 2] = [Direction::Leaving, Direction::Joining];

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Leaving => "leaving",
            Direction::Joining => "joining",
        }
    }

    pub fn parse(code: &str) -> Option<Direction> {
        Direction::ALL.into_iter().find(|d| d.as_str() == code)
    }

    /// The items every person of this direction has, in the order they are done.
    pub fn items(self) -> &'static [Item] {
        match self {
            Direction::Leaving => &[
                Item::PostsEnded,
                Item::AccountClosed,
                Item::AssetsHandedOver,
                Item::TakeOutsReturned,
            ],
            Direction::Joining => &[
                Item::AccountOpened,
                Item::PostsGiven,
                Item::PledgeSigned,
                Item::PolicyAcknowledged,
                Item::FirstTraining,
            ],
        }
    }
}

/// One item of a person's checklist. `Line` is one the secretariat wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Item {
    /// 役職の終了: no post (or deputyship) held from the day on.
    PostsEnded,
    /// アカウントの停止
    AccountClosed,
    /// 保有資産の引継ぎ・廃棄: no asset in use or kept is held any more.
    AssetsHandedOver,
    /// 持ち出し・貸与の返却
    TakeOutsReturned,
    /// アカウントの作成
    AccountOpened,
    /// 役職の割当て (or set aside: most members hold none)
    PostsGiven,
    /// 誓約書
    PledgeSigned,
    /// 基本方針等の確認
    PolicyAcknowledged,
    /// 初回研修
    FirstTraining,
    Line,
}

impl Item {
    pub const ALL: [Item; 10] = [
        Item::PostsEnded,
        Item::AccountClosed,
        Item::AssetsHandedOver,
        Item::TakeOutsReturned,
        Item::AccountOpened,
        Item::PostsGiven,
        Item::PledgeSigned,
        Item::PolicyAcknowledged,
        Item::FirstTraining,
        Item::Line,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Item::PostsEnded => "posts_ended",
            Item::AccountClosed => "account_closed",
            Item::AssetsHandedOver => "assets_handed_over",
            Item::TakeOutsReturned => "take_outs_returned",
            Item::AccountOpened => "account_opened",
            Item::PostsGiven => "posts_given",
            Item::PledgeSigned => "pledge_signed",
            Item::PolicyAcknowledged => "policy_acknowledged",
            Item::FirstTraining => "first_training",
            Item::Line => "line",
        }
    }

    pub fn parse(code: &str) -> Option<Item> {
        Item::ALL.into_iter().find(|i| i.as_str() == code)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Item::PostsEnded => "term_change.item.posts_ended",
            Item::AccountClosed => "term_change.item.account_closed",
            Item::AssetsHandedOver => "term_change.item.assets_handed_over",
            Item::TakeOutsReturned => "term_change.item.take_outs_returned",
            Item::AccountOpened => "term_change.item.account_opened",
            Item::PostsGiven => "term_change.item.posts_given",
            Item::PledgeSigned => "term_change.item.pledge_signed",
            Item::PolicyAcknowledged => "term_change.item.policy_acknowledged",
            Item::FirstTraining => "term_change.item.first_training",
            Item::Line => "term_change.item.line",
        }
    }

    /// Whether the secretariat may set the item aside as not applicable. Ending posts
    /// and closing the account are what leaving is, and are carried out by mamori; an
    /// account is what everything else of a new member hangs on.
    pub fn may_set_aside(self) -> bool {
        !matches!(
            self,
            Item::PostsEnded | Item::AccountClosed | Item::AccountOpened | Item::Line
        )
    }
}

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    Open,
    Done,
    /// 対象外, with a reason.
    SetAside,
}

impl ItemState {
    pub const ALL: [ItemState; 3] = [ItemState::Open, ItemState::Done, ItemState::SetAside];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Open => "open",
            ItemState::Done => "done",
            ItemState::SetAside => "set_aside",
        }
    }

    pub fn parse(code: &str) -> Option<ItemState> {
        ItemState::ALL.into_iter().find(|s| s.as_str() == code)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            ItemState::Open => "term_change.state.open",
            ItemState::Done => "term_change.state.done",
            ItemState::SetAside => "term_change.state.set_aside",
        }
    }

    pub fn settled(self) -> bool {
        self != ItemState::Open
    }
}

/// An item read from the registers: done when they say so, else set aside when the
/// secretariat said so (a set-aside item the registers later show done is done).
pub fn derived_state(done_in_registers: bool, set_aside: bool) -> ItemState {
    if done_in_registers {
        ItemState::Done
    } else if set_aside {
        ItemState::SetAside
    } else {
        ItemState::Open
    }
}

/// Whether leaving may be carried out on `today`: from the day of the change on, once.
pub fn may_carry_out(effective_on: Date, today: Date, carried_out: bool) -> bool {
    !carried_out && today >= effective_on
}

/// The last day in office of those who leave: the day before the change.
pub fn last_day(effective_on: Date) -> Date {
    effective_on.previous_day().unwrap_or(effective_on)
}

/// A term change as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChangeForm {
    pub kind: String,
    pub title: String,
    /// 異動日: the first day of the new term (those who leave are gone from it).
    pub effective_on: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeInput {
    pub kind: ChangeKind,
    pub title: String,
    pub effective_on: Date,
    pub note: String,
}

impl ChangeForm {
    pub fn check(&self) -> Result<ChangeInput, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let kind = ChangeKind::parse(self.kind.trim());
        if kind.is_none() {
            problems.push(FieldProblem::new("kind", "term_change.error.kind"));
        }
        let title = line_field("title", &self.title, TITLE_MAX, true, &mut problems);
        let effective_on = date_field("effective_on", &self.effective_on, true, &mut problems);
        let note = long_field("note", &self.note, NOTE_MAX, false, &mut problems);
        match (kind, effective_on) {
            (Some(kind), Some(effective_on)) if problems.is_empty() => Ok(ChangeInput {
                kind,
                title,
                effective_on,
                note,
            }),
            _ => Err(problems),
        }
    }
}

/// A person added to a change: an account (by login), or for someone joining whose
/// account is not made yet, a name (and reading) to link an account to later.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PersonForm {
    pub direction: String,
    #[serde(default)]
    pub login: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub reading: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonInput {
    Account {
        direction: Direction,
        login: String,
    },
    /// Someone joining, not yet with an account.
    Named {
        name: String,
        reading: String,
    },
}

impl PersonForm {
    pub fn check(&self) -> Result<PersonInput, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let direction = Direction::parse(self.direction.trim());
        if direction.is_none() {
            problems.push(FieldProblem::new(
                "direction",
                "term_change.error.direction",
            ));
        }
        let login = self.login.trim().to_owned();
        let name = line_field("name", &self.name, NAME_MAX, false, &mut problems);
        let reading = line_field("reading", &self.reading, NAME_MAX, false, &mut problems);
        let Some(direction) = direction else {
            return Err(problems);
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        match (login.is_empty(), name.is_empty(), direction) {
            (false, _, _) => Ok(PersonInput::Account { direction, login }),
            (true, false, Direction::Joining) => Ok(PersonInput::Named { name, reading }),
            (true, false, Direction::Leaving) => Err(vec![FieldProblem::new(
                "login",
                "term_change.error.leaving_needs_account",
            )]),
            (true, true, _) => Err(vec![FieldProblem::new("login", "term_change.error.who")]),
        }
    }
}

/// A line the secretariat adds to a person's checklist, or an item it sets aside.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MarkForm {
    /// An item code to set aside, or `line` (the default) for a line of one's own.
    #[serde(default)]
    pub item: String,
    /// The line's text (for `line`).
    #[serde(default)]
    pub label: String,
    /// Why the item does not apply (for a set-aside item); a note for a line.
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkInput {
    Line { label: String, note: String },
    SetAside { item: Item, reason: String },
}

impl MarkForm {
    /// `direction`: a set-aside item must be one of that direction's items.
    pub fn check(&self, direction: Direction) -> Result<MarkInput, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let code = self.item.trim();
        let item = if code.is_empty() {
            Some(Item::Line)
        } else {
            Item::parse(code)
        };
        match item {
            Some(Item::Line) => {
                let label = line_field("label", &self.label, LABEL_MAX, true, &mut problems);
                let note = long_field("note", &self.note, REASON_MAX, false, &mut problems);
                if problems.is_empty() {
                    Ok(MarkInput::Line { label, note })
                } else {
                    Err(problems)
                }
            }
            Some(item) if item.may_set_aside() && direction.items().contains(&item) => {
                let reason = long_field("note", &self.note, REASON_MAX, true, &mut problems);
                if problems.is_empty() {
                    Ok(MarkInput::SetAside { item, reason })
                } else {
                    Err(problems)
                }
            }
            _ => Err(vec![FieldProblem::new("item", "term_change.error.item")]),
        }
    }
}

/// A mark's new state and note as typed: a line of one's own is done or open again; a
/// setting-aside can only be withdrawn (`open`), since setting aside is its own form.
pub fn check_mark_state(
    item: Item,
    state: &str,
    note: &str,
) -> Result<(ItemState, String), Vec<FieldProblem>> {
    let allowed: &[ItemState] = if item == Item::Line {
        &[ItemState::Open, ItemState::Done]
    } else {
        &[ItemState::Open]
    };
    let mut problems = Vec::new();
    let state = ItemState::parse(state.trim()).filter(|s| allowed.contains(s));
    if state.is_none() {
        problems.push(FieldProblem::new("state", "term_change.error.state"));
    }
    let note = long_field("note", note, REASON_MAX, false, &mut problems);
    match state {
        Some(state) if problems.is_empty() => Ok((state, note)),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests;
