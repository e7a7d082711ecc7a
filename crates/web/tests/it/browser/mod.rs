//! Tests in a real browser (Debian's headless Chromium over WebDriver), where a page's
//! behaviour matters: signing in, each person's home page, deciding an approval by clicking,
//! every page on a tablet and under axe-core, the keyboard alone, choosing by touch,
//! printing on A4.

mod approval_flow;
mod choices;
mod driver;
mod home_pages;
mod keyboard;
mod print;
mod print_pages;
mod sign_in;
mod walk;
mod walk_by_address;
