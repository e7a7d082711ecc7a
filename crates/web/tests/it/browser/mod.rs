//! Tests in a real browser (Debian's headless Chromium over WebDriver), where a page's
//! behaviour matters: signing in, each person's home page, deciding an approval by clicking,
//! printing on A4.

mod approval_flow;
mod driver;
mod home_pages;
mod print;
mod print_pages;
mod sign_in;
