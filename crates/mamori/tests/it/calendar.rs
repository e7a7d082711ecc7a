//! `mamori import holidays FILE` end to end, on both backends: the Cabinet Office list
//! in Shift_JIS read into the office calendar, a broken list refused with its line.

use mamori_store::calendar;
use mamori_testkit::backend_test;
use mamori_testkit::fixtures_cycle::cabinet_office_csv;
use time::macros::date;

use super::policy::Site;

backend_test!(
    async fn the_holiday_list_is_imported_from_the_command_line(backend) {
        let site = Site::new(backend).await;
        let list = site.file(
            "syukujitsu.csv",
            &cabinet_office_csv(&[("2028/1/1", "元日"), ("2028/1/10", "成人の日"), ("2028/2/11", "建国記念の日")]),
        );
        let run = site.run(&["import", "holidays", &list]).success();
        assert!(run.stdout().contains("3 added"), "{}", run.stdout());
        let days = site
            .with_store(async |store| calendar::closed_days(store, date!(2028 - 01 - 01), date!(2028 - 12 - 31)).await.unwrap())
            .await;
        assert_eq!(days.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), ["元日", "成人の日", "建国記念の日"]);

        let broken = site.file("broken.csv", &cabinet_office_csv(&[("2029/1/1", "元日"), ("2029/13/1", "ない月")]));
        site.run(&["import", "holidays", &broken]).refused("Line 3 cannot be read");
        let none = site
            .with_store(async |store| calendar::closed_days(store, date!(2029 - 01 - 01), date!(2029 - 12 - 31)).await.unwrap())
            .await;
        assert!(none.is_empty());
    }
);
