//! The integration tests of this crate, in one binary: linking the crate once instead of
//! once per file is most of the test build time on two cores.

mod assets;
mod calendar;
mod cli;
mod incidents;
mod pledges;
mod policy;
mod training;
