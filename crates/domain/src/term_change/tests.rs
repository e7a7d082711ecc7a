use time::macros::date;

use super::*;

fn change(kind: &str, title: &str, on: &str) -> ChangeForm {
    ChangeForm {
        kind: kind.into(),
        title: title.into(),
        effective_on: on.into(),
        note: String::new(),
    }
}

#[test]
fn a_change_reads_a_japanese_date_and_refuses_what_is_missing() {
    let input = change("general_election", "令和9年4月 一般選挙", "令和9年5月1日")
        .check()
        .unwrap();
    assert_eq!(input.kind, ChangeKind::GeneralElection);
    assert_eq!(input.effective_on, date!(2027 - 05 - 01));
    let problems = change("coup", "", "5月32日").check().unwrap_err();
    let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
    assert_eq!(fields, ["kind", "title", "effective_on"]);
}

#[test]
fn those_leaving_are_named_by_account_and_those_joining_may_be_named_first() {
    let person = |direction: &str, login: &str, name: &str| PersonForm {
        direction: direction.into(),
        login: login.into(),
        name: name.into(),
        reading: String::new(),
    };
    assert_eq!(
        person("leaving", "giin.sato", "").check().unwrap(),
        PersonInput::Account {
            direction: Direction::Leaving,
            login: "giin.sato".into()
        }
    );
    assert_eq!(
        person("joining", "", "新井 一郎").check().unwrap(),
        PersonInput::Named {
            name: "新井 一郎".into(),
            reading: String::new()
        }
    );
    let refused = person("leaving", "", "佐藤").check().unwrap_err();
    assert_eq!(refused[0].key, "term_change.error.leaving_needs_account");
    assert_eq!(
        person("joining", "", "").check().unwrap_err()[0].key,
        "term_change.error.who"
    );
    assert_eq!(
        person("staying", "a", "").check().unwrap_err()[0].field,
        "direction"
    );
}

#[test]
fn only_items_that_may_not_apply_are_set_aside_and_only_with_a_reason() {
    let mark = |item: &str, note: &str| MarkForm {
        item: item.into(),
        label: String::new(),
        note: note.into(),
    };
    assert_eq!(
        mark("posts_given", "役職なし")
            .check(Direction::Joining)
            .unwrap(),
        MarkInput::SetAside {
            item: Item::PostsGiven,
            reason: "役職なし".into()
        }
    );
    assert_eq!(
        mark("posts_given", "")
            .check(Direction::Joining)
            .unwrap_err()[0]
            .field,
        "note"
    );
    // Ending posts is what leaving is; a joining item is not a leaving one.
    for (item, direction) in [
        ("posts_ended", Direction::Leaving),
        ("account_closed", Direction::Leaving),
        ("pledge_signed", Direction::Leaving),
        ("nothing", Direction::Joining),
    ] {
        assert_eq!(
            mark(item, "理由").check(direction).unwrap_err()[0].key,
            "term_change.error.item",
            "{item}"
        );
    }
    let line = MarkForm {
        item: String::new(),
        label: "議会タブレットの返却".into(),
        note: String::new(),
    };
    assert!(matches!(
        line.check(Direction::Leaving).unwrap(),
        MarkInput::Line { .. }
    ));
}

#[test]
fn the_registers_decide_before_a_setting_aside_and_leaving_waits_for_the_day() {
    assert_eq!(derived_state(true, true), ItemState::Done);
    assert_eq!(derived_state(false, true), ItemState::SetAside);
    assert_eq!(derived_state(false, false), ItemState::Open);
    let day = date!(2027 - 05 - 01);
    assert!(!may_carry_out(day, date!(2027 - 04 - 30), false));
    assert!(may_carry_out(day, day, false));
    assert!(!may_carry_out(day, day, true));
    assert_eq!(last_day(day), date!(2027 - 04 - 30));
}

#[test]
fn a_line_is_done_or_open_and_a_setting_aside_is_only_withdrawn() {
    assert_eq!(
        check_mark_state(Item::Line, "done", "返却済み").unwrap(),
        (ItemState::Done, "返却済み".to_owned())
    );
    assert_eq!(
        check_mark_state(Item::PostsGiven, "open", "").unwrap().0,
        ItemState::Open
    );
    for (item, state) in [
        (Item::PostsGiven, "done"),
        (Item::Line, "set_aside"),
        (Item::Line, "finished"),
    ] {
        assert_eq!(
            check_mark_state(item, state, "").unwrap_err()[0].key,
            "term_change.error.state"
        );
    }
    let long = "あ".repeat(REASON_MAX + 1);
    assert_eq!(
        check_mark_state(Item::Line, "done", &long).unwrap_err()[0].field,
        "note"
    );
}
